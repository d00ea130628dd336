import { z } from 'zod';

interface BackoffDefaults {
  initialMs: number;
  maxMs: number;
}

/**
 * A configured backoff: full jitter between 0 and a ceiling that grows by `factor` from
 * `initialMs` to `maxMs` (src/core/resilience/backoff.ts); each connector gives its defaults.
 */
function backoffFields(defaults: BackoffDefaults) {
  return {
    initialMs: z.int().positive().default(defaults.initialMs),
    maxMs: z.int().positive().default(defaults.maxMs),
    factor: z.number().min(1).default(2),
  };
}

const ceilingRule = { path: ['maxMs'], message: 'must be at least initialMs' };
const ceilingHolds = (b: BackoffDefaults) => b.maxMs >= b.initialMs;

/** The reconnect backoff of the streaming connectors: retried for as long as they run. */
export const streamBackoffSchema = z
  .strictObject(backoffFields({ initialMs: 500, maxMs: 30_000 }))
  .refine(ceilingHolds, ceilingRule)
  .prefault({});

/** The retries of one request: the same backoff, bounded by `attempts` (the first included). */
export function requestRetrySchema(defaults: BackoffDefaults & { attempts: number }) {
  return z
    .strictObject({ ...backoffFields(defaults), attempts: z.int().min(1).default(defaults.attempts) })
    .refine(ceilingHolds, ceilingRule)
    .prefault({});
}
