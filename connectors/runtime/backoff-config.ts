import { z } from 'zod';

/** The reconnect backoff of the streaming connectors: full jitter between 0 and a doubling ceiling. */
export const streamBackoffSchema = z
  .strictObject({
    initialMs: z.int().positive().default(500),
    maxMs: z.int().positive().default(30_000),
    factor: z.number().min(1).default(2),
  })
  .refine((b) => b.maxMs >= b.initialMs, { path: ['maxMs'], message: 'must be at least backoff.initialMs' })
  .prefault({});
