import { DatabaseError, type Pool, type PoolClient } from 'pg';
import { StoreError } from '../../src/core/errors.js';
import { componentLogger } from '../../src/core/logger.js';
import type { Sink, SinkDepsBase, SinkModule, SinkRecord } from '../contract.js';
import { migrate } from '../migrations/index.js';
import type { Statement } from '../migrations/versions.js';
import {
  batchPlan,
  batchRows,
  batchStatements,
  describeRecord,
  recordEventTime,
  type SeriesWrite,
} from './batch.js';
import { copyInto, NoCopyValue } from './copy.js';
import { configSchema, type TimescaleSinkConfig } from './config.js';
import { checkout, isDataError, storeErrorFromPg } from './pg-errors.js';
import { timescaleSettings } from './settings.js';
import type { StatementLimits } from './upsert.js';

export { configSchema } from './config.js';
export type { TimescaleSinkConfig } from './config.js';

export interface TimescaleSinkDeps extends SinkDepsBase {
  /** Owned by the caller, who also listens to its 'error' event (idle clients losing their socket). */
  pool: Pool;
}

async function runAll(client: PoolClient, statements: readonly Statement[]): Promise<void> {
  for (const { text, values, name } of statements) {
    await client.query(name === undefined ? { text, values } : { name, text, values });
  }
}

async function inTransaction(client: PoolClient, work: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await work();
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** A row with this key is already stored: a replay, or a corrected record for the same instant. */
const isUniqueViolation = (err: unknown): boolean => err instanceof DatabaseError && err.code === '23505';

/**
 * A COPY failure the upserts may still get past, or judge as they always did: a stored row
 * (23505), a value the binary format cannot carry (NoCopyValue: the COPY ends with CopyFail), any
 * other data error, and the server not reading our bytes as the column's type. A column altered
 * from the migrations' type answers 22P03 (real for double precision) or 08P01 ("insufficient
 * data left in message", numeric for double precision), and still takes the value as text through
 * the upserts. So a good record is never dead-lettered for the format it was sent in, and a bad
 * one is refused by the upserts and named.
 */
const upsertsMayWrite = (err: unknown): boolean =>
  err instanceof NoCopyValue || isDataError(err) || (err instanceof DatabaseError && err.code === '08P01');

/**
 * The time series of a batch, appended by COPY in the binary format: PostgreSQL takes it two to
 * three times faster than INSERT … ON CONFLICT for a thousand rows and no slower for seven, and
 * the embedded database five times faster for a few rows (docs/queries.md, "Write path"). A
 * replayed or corrected row makes the COPY fail on the primary key, and then, back at the
 * savepoint, the tables are upserted instead, so a replay still neither duplicates nor loses a row.
 */
async function writeSeries(
  client: PoolClient,
  series: readonly SeriesWrite[],
  copy: boolean,
  onRefused: (err: unknown) => void,
): Promise<'copied' | 'upserted'> {
  const upsertAll = () =>
    runAll(
      client,
      series.flatMap((s) => s.upserts()),
    );
  if (!copy) {
    await upsertAll();
    return 'upserted';
  }
  await client.query('SAVEPOINT oddsflow_copy');
  try {
    for (const s of series) await copyInto(client, s.copyStatement, s.copyChunks());
    // No RELEASE: the COMMIT ends the savepoint with the transaction, one round trip less a batch.
    return 'copied';
  } catch (err) {
    if (!upsertsMayWrite(err)) throw err;
    if (!isUniqueViolation(err)) onRefused(err);
    await client.query('ROLLBACK TO SAVEPOINT oddsflow_copy');
    await upsertAll();
    return 'upserted';
  }
}

/**
 * After a data error, which record caused it: each record's own statements in a savepoint,
 * all rolled back. Only the failure path pays for this.
 */
async function findOffender(
  client: PoolClient,
  records: readonly SinkRecord[],
  statementsOf: (record: SinkRecord) => Statement[],
): Promise<SinkRecord | undefined> {
  await client.query('BEGIN');
  try {
    for (const record of records) {
      await client.query('SAVEPOINT one_record');
      try {
        await runAll(client, statementsOf(record));
      } catch (err) {
        if (isDataError(err)) return record;
        throw err;
      }
      await client.query('RELEASE SAVEPOINT one_record');
    }
    return undefined;
  } finally {
    await client.query('ROLLBACK');
  }
}

export function createTimescaleSink(config: TimescaleSinkConfig, deps: TimescaleSinkDeps): Sink {
  const { pool, metrics, clock } = deps;
  const log = componentLogger(deps.logger, 'sink', 'timescale');
  const limits: StatementLimits = {
    rowsPerStatement: config.rowsPerStatement,
    maxStatementBytes: config.maxStatementBytes,
  };
  // Once per kind (SQLSTATE, or NoCopyValue): a table whose column types differ from the
  // migrations' refuses every batch, and the messages of bad values differ value by value.
  const refusals = new Set<string>();
  const copyRefused = (err: unknown): void => {
    const kind = err instanceof DatabaseError ? (err.code ?? 'no SQLSTATE') : (err as Error).name;
    if (refusals.has(kind)) return;
    refusals.add(kind);
    const reason = err instanceof DatabaseError ? `${err.code}: ${err.message}` : (err as Error).message;
    log.warn({ reason }, 'COPY refused a batch; its time series were upserted instead');
  };

  const refusedRecordError = async (
    client: PoolClient,
    records: readonly SinkRecord[],
    err: unknown,
    limits: StatementLimits,
  ): Promise<StoreError> => {
    const offender = await findOffender(client, records, (record) =>
      batchStatements(config.schema, batchRows([record]), limits),
    );
    const which = offender
      ? `record ${describeRecord(offender)}`
      : `a record among ${describeRecord(records[0]!)} … ${describeRecord(records[records.length - 1]!)}`;
    return new StoreError('DATABASE_QUERY_FAILED', `timescale: ${which} refused: ${(err as Error).message}`, {
      cause: err,
      retriable: false,
    });
  };

  return {
    name: 'timescale',
    topics: ['oddsNormalized', 'oddsPricing', 'resultsNormalized', 'featuresMarket'],

    async start() {
      if (config.migrate) await migrate(pool, { ...config, logger: deps.logger });
    },

    async writeBatch(records) {
      if (records.length === 0) return;
      const plan = batchPlan(config.schema, batchRows(records), limits);
      const { client, release } = await checkout(pool, 'timescale: connect');
      let discard: Error | undefined;
      let series: 'copied' | 'upserted' | 'none' = 'none';
      try {
        await inTransaction(client, async () => {
          await runAll(client, plan.state);
          if (plan.series.length > 0)
            series = await writeSeries(client, plan.series, config.copy, copyRefused);
        });
      } catch (err) {
        if (!isDataError(err)) {
          discard = err as Error;
          throw storeErrorFromPg(err, 'timescale: write');
        }
        let refused: StoreError;
        try {
          refused = await refusedRecordError(client, records, err, limits);
        } catch (searchErr) {
          discard = searchErr as Error;
          throw storeErrorFromPg(searchErr, 'timescale: write');
        }
        throw refused;
      } finally {
        // A client that failed for any other reason than its data may be dead: the pool drops it.
        release(discard);
      }
      if (series !== 'none') metrics.sinkSeriesWrites.inc({ method: series });
      const now = clock.now();
      for (const record of records) {
        const eventTime = recordEventTime(record);
        if (eventTime !== null)
          metrics.endToEndSeconds.observe({ store: 'timescale' }, (now - eventTime) / 1000);
      }
      log.debug({ records: records.length, series }, 'batch written');
    },

    async stop() {},
  };
}

export const timescaleSink: SinkModule<typeof configSchema, TimescaleSinkDeps, typeof timescaleSettings> = {
  name: 'timescale',
  configSchema,
  settings: timescaleSettings,
  create: createTimescaleSink,
};
