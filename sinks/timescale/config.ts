import { z } from 'zod';
import { intervalSchema, schemaNameSchema } from '../migrations/sql.js';

/** Defaults the config and its environment settings (settings.ts) share. */
export const timescaleDefaults = {
  schema: 'public',
  compressAfter: '7 days',
  retention: '2 years',
  copyFromRows: 100,
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
   * A time-series table's rows in one batch are appended by COPY when there are at least this
   * many (all new; a replayed row falls back to the upsert); fewer go in one INSERT … ON CONFLICT.
   * null: never COPY (a server or proxy without COPY FROM STDIN).
   */
  copyFromRows: z.number().int().min(1).nullable().default(timescaleDefaults.copyFromRows),
  /** Bytes per statement, for a server or proxy that limits them; null: no cap. */
  maxStatementBytes: z.number().int().min(1_024).nullable().default(null),
});

export type TimescaleSinkConfig = z.output<typeof configSchema>;
