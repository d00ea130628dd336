import { escapeIdentifier } from 'pg';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { StoreError } from '../../../src/core/errors.js';
import { createLogger } from '../../../src/core/logger.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { migrate } from '../../../sinks/migrations/index.js';
import { timescaleSink } from '../../../sinks/timescale/index.js';
import { captureLogs } from '../../helpers/logs.js';
import { silentLogger, testStack } from '../../helpers/stack.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';
import { book, pricing, record, result, startTime, t0 } from '../../helpers/records.js';
import { queries } from '../../../sinks/timescale/queries.js';
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
// For the upgrade test: a schema as the sink left it before issue 13's migration.
const upgraded = useSchema(pool);
const released = {
  odds_snapshots: [
    'time',
    'event_id',
    'market_id',
    'bookmaker',
    'selection_id',
    'side',
    'odds',
    'size',
    'point',
    'implied_probability',
    'selection_status',
    'in_play',
    'provider',
    'received_at',
  ],
  market_pricing: [
    'time',
    'event_id',
    'market_id',
    'bookmaker',
    'side',
    'selection_id',
    'provider',
    'in_play',
    'method',
    'pricing_status',
    'overround',
    'book_percentage',
    'odds',
    'implied_probability',
    'fair_probability',
    'fair_odds',
    'fair_multiplicative',
    'fair_additive',
    'fair_power',
    'fair_shin',
    'fair_odds_ratio',
    'fair_other',
    'best_odds',
    'best_bookmaker',
    'consensus_fair_probability',
    'book_count',
    'arbitrage',
  ],
};

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
    expect(first).toEqual({ mode: 'plain', applied: [1, 2, 3, 4, 5] });
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
      { version: 5, mode: 'plain' },
    ]);
  });

  it('applies each migration once when two instances migrate at the same time', async () => {
    const run = () =>
      migrate(twoClients, { schema: fresh, timescale: 'auto', logger: silentLogger, ...policies });
    const results = await Promise.all([run(), run()]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual([1, 2, 3, 4, 5]);
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

  it('keeps the newest status of each book, and stores provider ids and exchange data with the prices', async () => {
    const { sink: s } = sink({ migrate: false });
    await s.start();
    const exchange = (status: string, eventTime: number) =>
      book({
        eventId: 'status-event',
        status,
        eventTime,
        settled: status === 'CLOSED',
        marketBaseRate: 5,
        totalMatched: 1234.5,
        selections: book().selections.map((sel, i) => ({
          ...sel,
          sourceSelectionId: String(47_000 + i),
          handicap: 0,
          lastTradedPrice: 2.48,
          tradedVolume: 310,
          depth: [
            { price: 2.5, size: 120 },
            { price: 2.48, size: 40 },
          ],
        })),
      });
    // Newer wins whatever the order batches bring them in: OPEN, then SUSPENDED, then a late OPEN.
    await s.writeBatch([record('oddsNormalized', exchange('OPEN', t0))]);
    await s.writeBatch([record('oddsNormalized', exchange('SUSPENDED', t0 + 2_000))]);
    await s.writeBatch([record('oddsNormalized', exchange('OPEN', t0 + 1_000))]);
    const q = (sql: string) => pool.query(sql.replaceAll('$s', escapeIdentifier(schema)));
    expect(
      (
        await q(
          `SELECT status, in_play, settled, time, market_base_rate FROM $s.market_status WHERE event_id = 'status-event'`,
        )
      ).rows,
    ).toEqual([
      {
        status: 'SUSPENDED',
        in_play: false,
        settled: false,
        time: new Date(t0 + 2_000),
        market_base_rate: 5,
      },
    ]);
    await s.writeBatch([record('oddsNormalized', exchange('CLOSED', t0 + 3_000))]);
    expect(
      (await q(`SELECT status, settled FROM $s.market_status WHERE event_id = 'status-event'`)).rows,
    ).toEqual([{ status: 'CLOSED', settled: true }]);
    const { rows } = await q(
      `SELECT market_status, source_event_id, source_market_id, source_selection_id, handicap,
              last_traded_price, traded_volume, total_matched, depth
         FROM $s.odds_snapshots WHERE event_id = 'status-event' AND selection_id = 'sel-a' ORDER BY time`,
    );
    expect(rows.map((r: { market_status: string }) => r.market_status)).toEqual([
      'OPEN',
      'OPEN',
      'SUSPENDED',
      'CLOSED',
    ]);
    expect(rows[0]).toEqual({
      market_status: 'OPEN',
      source_event_id: '31873357',
      source_market_id: '1.205822330',
      source_selection_id: '47000',
      handicap: 0,
      last_traded_price: 2.48,
      traded_volume: 310,
      total_matched: 1234.5,
      depth: [
        { price: 2.5, size: 120 },
        { price: 2.48, size: 40 },
      ],
    });
  });

  it('stores an arbitrage with its legs, and the documented query finds it', async () => {
    const { sink: s } = sink({ migrate: false });
    await s.start();
    const p = pricing({ eventId: 'arb-event', eventTime: t0 + 5_000 });
    const leg = (selectionId: string, bookmaker: string, odds: number, stakeShare: number) => ({
      selectionId,
      bookmaker,
      provider: 'the-odds-api',
      odds,
      netOdds: odds,
      stakeShare,
      sourceEventId: 'oa-1',
      sourceMarketId: 'h2h',
      sourceSelectionId: selectionId,
      handicap: null,
      quoteTime: t0 + 5_000,
      size: null,
    });
    const backBack = {
      profit: 0.021,
      netBookSum: 0.979,
      maxTotalStake: null,
      stakes: [leg('sel-a', 'pinnacle', 2.6, 0.41), leg('sel-b', 'betfair', 1.8, 0.59)],
    };
    await s.writeBatch([
      record('oddsPricing', {
        ...p,
        crossBook: { ...p.crossBook, arbitrage: true, phase: 'in-play', backBack },
      }),
    ]);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL search_path TO ${escapeIdentifier(schema)}`);
      const { rows } = await client.query(queries.arbitrages.sql, [new Date(t0), new Date(t0 + 10_000)]);
      expect(rows).toEqual([
        {
          time: new Date(t0 + 5_000),
          event_id: 'arb-event',
          market_id: 'WIN',
          phase: 'in-play',
          back_back_profit: 0.021,
          arbitrage_detail: { backBack, backLay: [] },
        },
      ]);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });

  it('adds the trading columns to tables written before them, leaving the old rows as they were', async () => {
    // A schema as released before migration 5: migrate, then take 5 back out.
    await migrate(pool, { schema: upgraded, timescale: 'auto', logger: silentLogger, ...policies });
    const t = (name: string) => `${escapeIdentifier(upgraded)}.${name}`;
    const dropped = (
      await pool.query<{ column_name: string; table_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = $1 AND table_name IN ('odds_snapshots', 'market_pricing') ORDER BY ordinal_position`,
        [upgraded],
      )
    ).rows.filter((c) => !released[c.table_name as keyof typeof released].includes(c.column_name));
    expect(dropped.length).toBeGreaterThan(20);
    for (const c of dropped) await pool.query(`ALTER TABLE ${t(c.table_name)} DROP COLUMN ${c.column_name}`);
    await pool.query(`DROP TABLE ${t('market_status')}`);
    await pool.query(`DELETE FROM ${t('schema_migrations')} WHERE version = 5`);
    await pool.query(
      `INSERT INTO ${t('odds_snapshots')} (time, event_id, market_id, bookmaker, selection_id, side, odds,
         implied_probability, selection_status, in_play, provider, received_at)
       VALUES (now(), 'e', 'WIN', 'b', 's', 'back', 2, 0.5, 'ACTIVE', false, 'p', now())`,
    );

    expect(
      await migrate(pool, { schema: upgraded, timescale: 'auto', logger: silentLogger, ...policies }),
    ).toEqual({
      mode: 'plain',
      applied: [5],
    });
    const { rows } = await pool.query(`SELECT odds, market_status, depth FROM ${t('odds_snapshots')}`);
    expect(rows).toEqual([{ odds: 2, market_status: null, depth: null }]);
    const { sink: s } = sink({ schema: upgraded, migrate: false });
    await s.writeBatch(scenario());
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${t('market_status')}`)).rows).toEqual([
      { n: 2 },
    ]);
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
