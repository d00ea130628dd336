import { escapeIdentifier } from 'pg';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { StoreError } from '../../../src/errors.js';
import { createLogger } from '../../../src/logger.js';
import { createMetrics } from '../../../src/metrics.js';
import { migrate } from '../../../sinks/migrations/index.js';
import { timescaleSink } from '../../../sinks/timescale/index.js';
import { captureLogs } from '../../helpers/logs.js';
import { silentLogger, testStack } from '../../helpers/stack.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';
import { book, record, result, startTime, t0 } from '../../unit/sinks/sample-records.js';
import {
  checkDocumentedQueries,
  columnsOf,
  countRows,
  ohlcColumns,
  scenario,
  scenarioCounts,
  usePool,
  useSchema,
} from './pg-fixture.js';

const stack = testStack();
const pool = usePool(stack.postgresUrl);
const schema = useSchema(pool);

const policies = { compressAfter: '7 days', retention: '2 years' } as const;

// For the concurrent-migration test: two connections and a schema of its own.
const twoClients = usePool(stack.postgresUrl, { max: 2 });
const fresh = useSchema(pool);

// The outage test's way in: a proxy in front of the same database, and a pool through it.
const target = new URL(stack.postgresUrl);
const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
const viaProxy = usePool(
  Object.assign(new URL(stack.postgresUrl), { host: `127.0.0.1:${proxy.port}` }).toString(),
  { connectionTimeoutMillis: 5_000 },
);

function sink(overrides: z.input<typeof timescaleSink.configSchema> = {}, through = pool) {
  const metrics = createMetrics();
  const config = timescaleSink.configSchema.parse({ schema, ...overrides });
  return {
    metrics,
    sink: timescaleSink.create(config, { pool: through, logger: silentLogger, metrics, clock: Date }),
  };
}

describe('timescale sink on plain PostgreSQL (no extension)', () => {
  it('migrates to plain tables with one warning, and running again changes nothing', async () => {
    const logs = captureLogs();
    const logger = createLogger({ level: 'info', destination: logs.stream });
    const first = await migrate(pool, { schema, timescale: 'auto', logger, ...policies });
    expect(first).toEqual({ mode: 'plain', applied: [1, 2, 3, 4] });
    const warnings = () => logs.lines().filter((l) => l.level === 'warn');
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]!.msg).toContain('hypertable features are off');

    const second = await migrate(pool, { schema, timescale: 'auto', logger, ...policies });
    expect(second).toEqual({ mode: 'plain', applied: [] });
    const { rows } = await pool.query(
      `SELECT version, mode FROM ${escapeIdentifier(schema)}.schema_migrations ORDER BY version`,
    );
    expect(rows).toEqual([
      { version: 1, mode: 'plain' },
      { version: 2, mode: 'plain' },
      { version: 3, mode: 'plain' },
      { version: 4, mode: 'plain' },
    ]);
  });

  it('applies each migration once when two instances migrate at the same time', async () => {
    const run = () =>
      migrate(twoClients, { schema: fresh, timescale: 'auto', logger: silentLogger, ...policies });
    const results = await Promise.all([run(), run()]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual([1, 2, 3, 4]);
  });

  it('makes odds_ohlc_1m a plain view with the continuous aggregate columns', async () => {
    expect(await columnsOf(pool, schema, 'odds_ohlc_1m')).toEqual(ohlcColumns);
    const { rows } = await pool.query<{ kind: string }>(
      `SELECT relkind AS kind FROM pg_class WHERE oid = $1::regclass`,
      [`${escapeIdentifier(schema)}.odds_ohlc_1m`],
    );
    expect(rows).toEqual([{ kind: 'v' }]);
  });

  it('writes a batch once however often it is written, without rewriting rows', async () => {
    const { sink: s, metrics } = sink();
    await s.start();
    const batch = scenario();
    await s.writeBatch(batch);
    expect(await countRows(pool, schema)).toEqual(scenarioCounts);
    const versions = async () =>
      (
        await pool.query<{ v: string }>(
          `SELECT xmin::text AS v FROM ${escapeIdentifier(schema)}.odds_snapshots ORDER BY 1`,
        )
      ).rows;
    const before = await versions();
    await s.writeBatch(batch);
    expect(await countRows(pool, schema)).toEqual(scenarioCounts);
    expect(await versions()).toEqual(before);
    const observed = await metrics.endToEndSeconds.get();
    const count = observed.values.find(
      (v) => v.metricName?.endsWith('_count') && v.labels.store === 'timescale',
    );
    expect(count?.value).toBe(batch.length * 2);
  });

  it('answers the documented queries', async () => {
    await checkDocumentedQueries(pool, schema);
  });

  it('keeps the newest result and never erases what the event table knows', async () => {
    const { sink: s } = sink({ migrate: false });
    await s.start();
    await s.writeBatch([
      record('resultsNormalized', result({ winners: ['sel-b'], settledAt: startTime + 900_000 })),
    ]);
    await s.writeBatch([
      record('resultsNormalized', result({ winners: ['sel-a'], settledAt: startTime + 600_000 })),
    ]);
    const { rows } = await pool.query(
      `SELECT r.winners, e.competition, e.event_name FROM ${escapeIdentifier(schema)}.results r
         JOIN ${escapeIdentifier(schema)}.events e USING (event_id)`,
    );
    expect(rows).toEqual([{ winners: ['sel-b'], competition: 'Ascot', event_name: 'Ascot R3' }]);
  });

  it('refuses a record the database rejects as data, naming its offset, and writes none of the batch', async () => {
    const { sink: s } = sink({ migrate: false });
    await s.start();
    const good = record('oddsNormalized', book({ eventId: 'good-event' }));
    const bad = record('oddsNormalized', book({ eventId: 'bad\u0000event' }));
    const err: unknown = await s.writeBatch([good, bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'DATABASE_QUERY_FAILED', retriable: false });
    expect((err as Error).message).toContain(`record oddsNormalized[0]@${bad.offset} refused`);
    expect((err as StoreError).cause).toMatchObject({ code: '22021' });
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${escapeIdentifier(schema)}.events WHERE event_id = 'good-event'`,
    );
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('turns an outage into a retriable error and writes the batch exactly once afterwards', async () => {
    const { sink: s } = sink({ migrate: false }, viaProxy);
    await s.start();
    const batch = [record('oddsNormalized', book({ eventId: 'outage-event', eventTime: t0 }))];
    const outage = async () => {
      const err: unknown = await s.writeBatch(batch).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ code: 'DATABASE_UNAVAILABLE', retriable: true });
      expect((err as StoreError).cause).toBeInstanceOf(Error);
      return err as StoreError;
    };
    const written = async () =>
      (
        await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${escapeIdentifier(schema)}.odds_snapshots WHERE event_id = 'outage-event'`,
        )
      ).rows[0]?.n;

    // The connection dies as the COMMIT leaves: the server rolls the transaction back.
    proxy.dropWhen((chunk) => chunk.includes('COMMIT'));
    await outage();
    expect(await written()).toBe(0);

    await proxy.refuse();
    expect((await outage()).cause).toMatchObject({ code: 'ECONNREFUSED' });

    await proxy.restore();
    proxy.reset();
    await outage();

    await proxy.restore();
    await s.writeBatch(batch);
    await s.writeBatch(batch);
    expect(await written()).toBe(2);
  });
});
