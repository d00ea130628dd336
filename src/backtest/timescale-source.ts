import type { Pool } from 'pg';
import { qualified } from '../../sinks/migrations/sql.js';
import type { MarketPricing, Result } from '../generated/avro-types.js';
import { storedResults } from '../ops/features-store.js';
import type { BacktestEvent } from './engine.js';

interface PricingDbRow {
  time: Date;
  event_id: string;
  market_id: string;
  bookmaker: string;
  side: string;
  selection_id: string;
  provider: string;
  in_play: boolean;
  method: string;
  pricing_status: string;
  overround: number;
  book_percentage: number;
  odds: number;
  implied_probability: number;
  fair_probability: number;
  fair_odds: number;
  fair_multiplicative: number | null;
  fair_additive: number | null;
  fair_power: number | null;
  fair_shin: number | null;
  fair_odds_ratio: number | null;
  best_odds: number | null;
  best_bookmaker: string | null;
  consensus_fair_probability: number | null;
  book_count: number;
  arbitrage: boolean;
  start_time: Date | null;
}

const fairColumns = [
  ['multiplicative', 'fair_multiplicative'],
  ['additive', 'fair_additive'],
  ['power', 'fair_power'],
  ['shin', 'fair_shin'],
  ['odds-ratio', 'fair_odds_ratio'],
] as const;

/** One book's pricing record, from its rows (one per selection) in market_pricing. */
function toPricing(rows: readonly PricingDbRow[]): MarketPricing {
  const r = rows[0]!;
  const best = rows.filter(
    (x) => x.best_odds !== null && x.best_bookmaker !== null && x.consensus_fair_probability !== null,
  );
  return {
    eventId: r.event_id,
    marketId: r.market_id,
    marketType: r.market_id.split('@')[0]!,
    provider: r.provider,
    bookmaker: r.bookmaker,
    side: r.side,
    inPlay: r.in_play,
    startTime: r.start_time?.getTime() ?? null,
    numberOfPlaces: null,
    method: r.method,
    overround: r.overround,
    bookPercentage: r.book_percentage,
    pricingStatus: r.pricing_status,
    selections: rows.map((x) => ({
      selectionId: x.selection_id,
      name: null,
      decimalOdds: x.odds,
      impliedProbability: x.implied_probability,
      fairProbability: x.fair_probability,
      fairOdds: x.fair_odds,
      fairProbabilities: Object.fromEntries(
        fairColumns.flatMap(([method, column]) => (x[column] === null ? [] : [[method, x[column]]])),
      ),
    })),
    crossBook: {
      bookCount: r.book_count,
      bestBookSum: best.reduce((n, x) => n + 1 / x.best_odds!, 0),
      arbitrage: r.arbitrage,
      selections: best.map((x) => ({
        selectionId: x.selection_id,
        bestOdds: x.best_odds!,
        bestBookmaker: x.best_bookmaker!,
        consensusFairProbability: x.consensus_fair_probability!,
      })),
    },
    eventTime: r.time.getTime(),
    processedAt: r.time.getTime(),
  };
}

/**
 * Stored pricing of [from, to] as the backtest's events, in time order, interleaved with the
 * results settled from `from` on: read in pages along (time, event, market, bookmaker, side,
 * selection), so memory holds a page whatever the range. Start times come from `events`;
 * market status is not stored, so no book counts as suspended here (files have it).
 */
export async function* historyFromTimescale(
  pool: Pool,
  schema: string,
  range: { from: number; to: number },
  pageRows = 50_000,
): AsyncGenerator<BacktestEvent> {
  const results: Result[] = (await storedResults(pool, schema, { from: range.from, to: 8.64e15 })).sort(
    (a, b) => a.settledAt - b.settledAt,
  );
  let nextResult = 0;
  const pricing = qualified(schema, 'market_pricing');
  const events = qualified(schema, 'events');
  let after: unknown[] | undefined;
  let group: PricingDbRow[] = [];
  const sameBook = (a: PricingDbRow, b: PricingDbRow) =>
    a.time.getTime() === b.time.getTime() &&
    a.event_id === b.event_id &&
    a.market_id === b.market_id &&
    a.bookmaker === b.bookmaker &&
    a.side === b.side;
  for (;;) {
    const { rows } = await pool.query<PricingDbRow>(
      `SELECT p.*, e.start_time FROM ${pricing} p LEFT JOIN ${events} e USING (event_id)
        WHERE p.time >= $1 AND p.time <= $2
          ${after ? 'AND (p.time, p.event_id, p.market_id, p.bookmaker, p.side, p.selection_id) > ($4, $5, $6, $7, $8, $9)' : ''}
        ORDER BY p.time, p.event_id, p.market_id, p.bookmaker, p.side, p.selection_id
        LIMIT $3`,
      [new Date(range.from), new Date(range.to), pageRows, ...(after ?? [])],
    );
    for (const row of rows) {
      if (group.length > 0 && !sameBook(group[0]!, row)) {
        const value = toPricing(group);
        while (nextResult < results.length && results[nextResult]!.settledAt <= value.eventTime)
          yield { kind: 'result', value: results[nextResult++]! };
        yield { kind: 'pricing', value };
        group = [];
      }
      group.push(row);
    }
    const end = rows[rows.length - 1];
    if (end === undefined || rows.length < pageRows) break;
    after = [end.time, end.event_id, end.market_id, end.bookmaker, end.side, end.selection_id];
  }
  if (group.length > 0) {
    const value = toPricing(group);
    while (nextResult < results.length && results[nextResult]!.settledAt <= value.eventTime)
      yield { kind: 'result', value: results[nextResult++]! };
    yield { kind: 'pricing', value };
  }
  while (nextResult < results.length) yield { kind: 'result', value: results[nextResult++]! };
}
