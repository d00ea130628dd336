import { z } from 'zod';

/** Defaults the config and its environment settings (settings.ts) share. */
export const redisDefaults = { keyPrefix: 'oddsflow:', ttlAfterStartSeconds: 12 * 3600 } as const;

export const configSchema = z.strictObject({
  /** Put before every key, to share a Redis between deployments (tests use a random one). */
  keyPrefix: z.string().default(redisDefaults.keyPrefix),
  /**
   * A market's keys live until its event's start plus this, however quiet the market is (the
   * processors drop unchanged books, so a quiet pre-match market writes nothing for hours).
   */
  ttlAfterStartSeconds: z.number().int().positive().default(redisDefaults.ttlAfterStartSeconds),
  /** …and at least until its newest record's time plus this (events without a start time, long events). */
  ttlAfterWriteSeconds: z
    .number()
    .int()
    .positive()
    .default(2 * 3600),
  /**
   * How long a batch may wait for Redis before it counts as an outage. ioredis queues commands
   * while it reconnects; those that run late are harmless, as older writes never win.
   */
  writeTimeoutMs: z.number().int().positive().default(5_000),
});

export type RedisSinkConfig = z.output<typeof configSchema>;
