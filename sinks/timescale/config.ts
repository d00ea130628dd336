import { z } from 'zod';
import { intervalSchema, schemaNameSchema } from '../migrations/sql.js';

/** Defaults the config and its environment settings (settings.ts) share. */
export const timescaleDefaults = {
  schema: 'public',
  compressAfter: '7 days',
  retention: '2 years',
} as const;

export const configSchema = z.strictObject({
  /** The PostgreSQL schema holding the tables (tests use a random one). */
  schema: schemaNameSchema.default(timescaleDefaults.schema),
  /** Run the migrations in `start` (off when `oddsflow db migrate` is a separate deployment step). */
  migrate: z.boolean().default(true),
  /** auto: hypertables, compression and the continuous aggregate when the server has TimescaleDB. */
  timescale: z.enum(['auto', 'off']).default('auto'),
  /** Chunks older than this move to the columnstore; null: never. */
  compressAfter: intervalSchema.nullable().default(timescaleDefaults.compressAfter),
  /** Chunks older than this are dropped; null: keep everything. */
  retention: intervalSchema.nullable().default(timescaleDefaults.retention),
  /**
   * Rows per INSERT (also capped by PostgreSQL's 65,535 bind parameters): fewer, bigger statements
   * save round trips; docs/queries.md has the measured write rates.
   */
  rowsPerStatement: z.number().int().min(1).max(10_000).default(1_000),
  /**
   * Append the time series by COPY (a batch holding a stored row falls back to the upserts);
   * off: upserts only, for a server or proxy without COPY FROM STDIN.
   */
  copy: z.boolean().default(true),
  /** Bytes per statement, for a server or proxy that limits them; null: no cap. */
  maxStatementBytes: z.number().int().min(1_024).nullable().default(null),
});

export type TimescaleSinkConfig = z.output<typeof configSchema>;
