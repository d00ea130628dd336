import pg, { escapeIdentifier } from 'pg';
import { afterAll, expect } from 'vitest';
import type { SinkRecord } from '../../../sinks/contract.js';
import { queries } from '../../../sinks/timescale/queries.js';
import { randomId } from '../../helpers/stack.js';
import { book, eventId, pricing, record, result, startTime, t0 } from '../../helpers/records.js';
import { selectionExtras } from '../../helpers/record-defaults.js';

/**
 * One connection per pool: the embedded TimescaleDB serves one client at a time, and an idle
 * client losing its socket (the outage tests) must not crash the test process.
 */
export function usePool(connectionString: string, options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 1, ...options });
  pool.on('error', () => undefined);
  afterAll(() => pool.end());
  return pool;
}

/** A random schema, dropped (with everything in it) after the file. */
export function useSchema(pool: pg.Pool): string {
  const schema = randomId('sinks').replace('-', '_');
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(schema)} CASCADE`);
  });
  return schema;
}

export async function countRows(pool: pg.Pool, schema: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['events', 'results', 'odds_snapshots', 'market_pricing']) {
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${escapeIdentifier(schema)}.${escapeIdentifier(table)}`,
    );
    counts[table] = Number(rows[0]!.n);
  }
  return counts;
}

/** The columns of odds_ohlc_1m, the same whether it is a continuous aggregate or a plain view. */
export const ohlcColumns = [
  'bucket timestamp with time zone',
  'event_id text',
  'market_id text',
  'selection_id text',
  'bookmaker text',
  'side text',
  'open double precision',
  'high double precision',
  'low double precision',
  'close double precision',
  'samples bigint',
];

export async function columnsOf(pool: pg.Pool, schema: string, relation: string): Promise<string[]> {
  const { rows } = await pool.query<{ c: string }>(
    `SELECT attname || ' ' || format_type(atttypid, atttypmod) AS c FROM pg_attribute
      WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [`${escapeIdentifier(schema)}.${escapeIdentifier(relation)}`],
  );
  return rows.map((r) => r.c);
}

export const scenarioEventId = eventId;

const selections = (a: number) => [
  {
    selectionId: 'sel-a',
    name: 'Alpha',
    decimalOdds: a,
    point: null,
    size: 10,
    status: 'ACTIVE',
    ...selectionExtras(),
  },
  {
    selectionId: 'sel-b',
    name: 'Bravo',
    decimalOdds: 3,
    point: null,
    size: 10,
    status: 'ACTIVE',
    ...selectionExtras(),
  },
];

/**
 * One race: betfair prices sel-a six times in the two minutes from 12:00 (then once in play),
 * pinnacle once; two betfair pricing records and one pinnacle; the result.
 */
export function scenario(): SinkRecord[] {
  const betfairA = [2.0, 2.2, 2.1, 2.4, 2.3, 2.5];
  return [
    ...betfairA.map((a, k) =>
      record('oddsNormalized', book({ eventTime: t0 + k * 20_000, selections: selections(a) })),
    ),
    record(
      'oddsNormalized',
      book({ eventTime: startTime + 60_000, inPlay: true, selections: selections(1.5) }),
    ),
    record(
      'oddsNormalized',
      book({ bookmaker: 'pinnacle', provider: 'the-odds-api', selections: selections(2.05) }),
    ),
    record('oddsPricing', pricing({ overround: 0.05 })),
    record('oddsPricing', pricing({ eventTime: t0 + 20_000, overround: 0.03 })),
    record('oddsPricing', pricing({ bookmaker: 'pinnacle', overround: 0.02 })),
    record('resultsNormalized', result()),
  ];
}

/** What scenario() leaves in the tables. */
export const scenarioCounts = { events: 1, results: 1, odds_snapshots: 16, market_pricing: 6 };

const ms = (d: Date): number => d.getTime();

interface OhlcRow {
  bucket: Date;
  bookmaker: string;
  open: number;
  high: number;
  low: number;
  close: number;
  samples: string;
}

/** Runs every documented query on the scenario's data (search_path set to the schema). */
export async function checkDocumentedQueries(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    // SET LOCAL: the embedded server has one session for every client, and a plain SET (or its
    // RESET, which there means pg_catalog) would leak into the next one.
    await client.query('BEGIN');
    await client.query(`SET LOCAL search_path TO ${escapeIdentifier(schema)}`);
    const history = await client.query<{ time: Date; bookmaker: string; odds: number }>(
      queries.priceHistory.sql,
      [scenarioEventId, 'WIN', 'sel-a', new Date(t0), new Date(t0 + 60_000)],
    );
    expect(history.rows.map((r) => [ms(r.time) - t0, r.bookmaker, r.odds])).toEqual([
      [0, 'betfair', 2.0],
      [0, 'pinnacle', 2.05],
      [20_000, 'betfair', 2.2],
      [40_000, 'betfair', 2.1],
    ]);

    const closing = await client.query<{
      bookmaker: string;
      selection_id: string;
      closing_odds: number;
      priced_at: Date;
    }>(queries.closingLine.sql, [scenarioEventId, 'WIN']);
    expect(
      closing.rows.map((r) => [r.bookmaker, r.selection_id, r.closing_odds, ms(r.priced_at) - t0]),
    ).toEqual([
      ['betfair', 'sel-a', 2.5, 100_000],
      ['betfair', 'sel-b', 3, 100_000],
      ['pinnacle', 'sel-a', 2.05, 0],
      ['pinnacle', 'sel-b', 3, 0],
    ]);

    const overround = await client.query<{
      bucket: Date;
      bookmaker: string;
      overround: number;
      books: string;
    }>(queries.overroundByBookmaker.sql, [scenarioEventId, 'WIN', '5 minutes']);
    expect(
      overround.rows.map((r) => [
        ms(r.bucket) - t0,
        r.bookmaker,
        Number(r.overround.toFixed(12)),
        Number(r.books),
      ]),
    ).toEqual([
      [0, 'betfair', 0.04, 2],
      [0, 'pinnacle', 0.02, 1],
    ]);

    const ohlc = await client.query<OhlcRow>(queries.ohlc1m.sql, [
      scenarioEventId,
      'WIN',
      'sel-a',
      new Date(t0),
      new Date(t0 + 120_000),
    ]);
    expect(
      ohlc.rows.map((r) => [
        ms(r.bucket) - t0,
        r.bookmaker,
        r.open,
        r.high,
        r.low,
        r.close,
        Number(r.samples),
      ]),
    ).toEqual([
      [0, 'betfair', 2.0, 2.2, 2.0, 2.1, 3],
      [0, 'pinnacle', 2.05, 2.05, 2.05, 2.05, 1],
      [60_000, 'betfair', 2.4, 2.5, 2.3, 2.5, 3],
    ]);

    const statuses = await client.query<{ bookmaker: string; status: string; in_play: boolean; as_of: Date }>(
      queries.marketStatus.sql,
      [scenarioEventId, 'WIN'],
    );
    expect(statuses.rows.map((r) => [r.bookmaker, r.status, r.in_play, ms(r.as_of) - t0])).toEqual([
      ['betfair', 'OPEN', true, startTime + 60_000 - t0],
      ['pinnacle', 'OPEN', false, 0],
    ]);

    // The scenario's pricing flags no arbitrage: the query answers, with nothing.
    const arbitrages = await client.query(queries.arbitrages.sql, [
      new Date(t0 - 3_600_000),
      new Date(startTime + 3_600_000),
    ]);
    expect(arbitrages.rows).toEqual([]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
