import { z } from 'zod';
import { intervalSchema, schemaNameSchema } from '../migrations/sql.js';
import type { SinkSettings } from '../contract.js';
import { timescaleDefaults, type TimescaleSinkConfig } from './config.js';

/** A policy's interval, or `never` (an environment variable cannot be null). */
const policy = (fallback: string) => intervalSchema.or(z.literal('never')).default(fallback);
const orNull = (value: string): string | null => (value === 'never' ? null : value);

const shape = {
  ODDSFLOW_DB_SCHEMA: schemaNameSchema.default(timescaleDefaults.schema),
  ODDSFLOW_TIMESCALE: z.enum(['auto', 'off']).default('auto'),
  ODDSFLOW_COMPRESS_AFTER: policy(timescaleDefaults.compressAfter),
  ODDSFLOW_RETENTION: policy(timescaleDefaults.retention),
  ODDSFLOW_DB_COPY: z.enum(['on', 'off']).default('on'),
};

/** The TimescaleDB sink's environment settings; the rest of its config keeps its defaults. */
export const timescaleSettings = {
  shape,
  configFrom: (s: z.output<z.ZodObject<typeof shape>>): Partial<TimescaleSinkConfig> => ({
    schema: s.ODDSFLOW_DB_SCHEMA,
    timescale: s.ODDSFLOW_TIMESCALE,
    compressAfter: orNull(s.ODDSFLOW_COMPRESS_AFTER),
    retention: orNull(s.ODDSFLOW_RETENTION),
    copy: s.ODDSFLOW_DB_COPY === 'on',
  }),
} satisfies SinkSettings;
