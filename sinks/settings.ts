import { z } from 'zod';
import { commaSeparated, interval, positiveInt } from '../src/core/config/settings.js';

/** The sinks' settings (src/app/config/settings.ts adds them to the kernel's). */
export const sinkSettingsShape = {
  ODDSFLOW_SINKS: commaSeparated
    .pipe(z.array(z.enum(['timescale', 'redis'])).min(1, 'name at least one sink'))
    .default(['timescale', 'redis']),
  ODDSFLOW_SINK_BATCH_RECORDS: positiveInt.max(50_000).default(1000),
  ODDSFLOW_SINK_WRITE_TIMEOUT_S: positiveInt.max(3_600).default(60),
  ODDSFLOW_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier')
    .default('public'),
  ODDSFLOW_DB_POOL_MAX: positiveInt.max(100).default(4),
  ODDSFLOW_DB_QUERY_TIMEOUT_MS: positiveInt.min(100).default(30_000),
  ODDSFLOW_TIMESCALE: z.enum(['auto', 'off']).default('auto'),
  ODDSFLOW_COMPRESS_AFTER: interval.or(z.literal('never')).default('7 days'),
  ODDSFLOW_RETENTION: interval.or(z.literal('never')).default('2 years'),
  ODDSFLOW_REDIS_KEY_PREFIX: z.string().default('oddsflow:'),
  ODDSFLOW_REDIS_TTL_AFTER_START_S: positiveInt.default(12 * 3600),
} as const;
