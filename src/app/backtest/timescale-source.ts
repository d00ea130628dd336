import type { Pool } from 'pg';
import { qualified } from '../../../sinks/migrations/sql.js';
import { CrossBookState } from '../../../processors/enrich/cross-book.js';
import type { MarginMethod } from '../../../processors/enrich/margin-methods.js';
import { priceBook } from '../../../processors/enrich/pricing.js';
import type { MarketBook, MarketPricing, Result } from '../../core/generated/avro-types.js';
import { storedResults } from '../ops/features-store.js';
import type { BacktestEvent } from './engine.js';

/**
 * A row of odds_snapshots as the backtest reads it: an array (pg's rowMode "array" saves an object
 * per row) with the time as epoch milliseconds (no Date per row): [t, event_id, market_id,
 * bookmaker, selection_id, side, odds, size, point, selection_status, in_play, provider,
 * market_status, source_event_id, source_market_id, source_selection_id, handicap] (the last five
 * null in rows written before issue 13).
 */
type SnapshotRow = [
  number,
  string,
  string,
  string,
  string,
  string,
  number,
  number | null,
  number | null,
  string,
  boolean,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  number | null,
];

interface EventInfo {
  startTime: number | null;
  sport: string;
}

/** One bookmaker's book at one time, from its rows (one per priced selection) in odds_snapshots. */
function toBook(rows: readonly SnapshotRow[], event: EventInfo | undefined): MarketBook {
  const [
    t,
    eventId,
    marketId,
    bookmaker,
    ,
    side,
    ,
    ,
    ,
    ,
    inPlay,
    provider,
    status,
    sourceEventId,
    sourceMarketId,
  ] = rows[0]!;
  const [marketType, line] = marketId.split('@');
  return {
    eventId,
    marketId,
    marketType: marketType!,
    line: marketType !== 'PLACE' && line !== undefined ? Number(line) : null,
    sport: event?.sport ?? '',
    competition: null,
    eventName: null,
    startTime: event?.startTime ?? null,
    provider,
    bookmaker,
    side,
    // Rows written before the status was stored count as open.
    status: status ?? 'OPEN',
    inPlay,
    numberOfPlaces: marketType === 'PLACE' && line !== undefined ? Number(line) : null,
    selections: rows.map((x) => ({
      selectionId: x[4],
      name: null,
      decimalOdds: x[6],
      point: x[8],
      size: x[7],
      status: x[9],
      sourceSelectionId: x[15],
      handicap: x[16],
      lastTradedPrice: null,
      tradedVolume: null,
      depth: [],
      bspNear: null,
      bspFar: null,
    })),
    sourceEventId: sourceEventId ?? '',
    sourceMarketId: sourceMarketId ?? '',
    eventTime: t,
    receivedAt: t,
    processedAt: t,
    contentHash: '',
    settled: false,
    marketBaseRate: null,
    totalMatched: null,
  };
}

/**
 * Stored books of [from, to] as the backtest's events, in time order, priced again with the
 * market's cross-book state built in that order (as the enrich stage does): the cross-book
 * columns of market_pricing reflect the order the processors read records in, which for a
 * backfill of several files is file by file, not time. Results settled from `from` on are
 * interleaved. Read in pages along (time, event, market, bookmaker, side, selection), so memory
 * holds a page and the cross-book state whatever the range. Start times and sports come from
 * `events`; a book's status from the rows (a suspended book's priced rows say so).
 * Only the chosen margin method's fair probabilities are computed (fairProbabilities has that one).
 */
export async function* historyFromTimescale(
  pool: Pool,
  schema: string,
  range: { from: number; to: number },
  options: { method: MarginMethod; pageRows?: number },
): AsyncGenerator<BacktestEvent> {
  const pageRows = options.pageRows ?? 50_000;
  const results: Result[] = (await storedResults(pool, schema, { from: range.from, to: 8.64e15 })).sort(
    (a, b) => a.settledAt - b.settledAt,
  );
  let nextResult = 0;
  const crossBook = new CrossBookState();
  const snapshots = qualified(schema, 'odds_snapshots');
  const events = qualified(schema, 'events');
  const eventInfo = new Map<string, EventInfo>();
  let after: unknown[] | undefined;
  let group: SnapshotRow[] = [];
  const sameBook = (a: SnapshotRow, b: SnapshotRow) =>
    a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[5] === b[5];
  function* emit(rows: readonly SnapshotRow[]): Generator<BacktestEvent> {
    const book = toBook(rows, eventInfo.get(rows[0]![1]));
    while (nextResult < results.length && results[nextResult]!.settledAt <= book.eventTime)
      yield { kind: 'result', value: results[nextResult++]! };
    const bookPricing = priceBook(book, {
      method: options.method,
      now: book.eventTime,
      methods: [options.method],
    });
    const pricing: MarketPricing = {
      ...bookPricing,
      crossBook: crossBook.update(bookPricing, book.receivedAt),
    };
    yield { kind: 'book', value: book };
    yield { kind: 'pricing', value: pricing };
  }
  for (;;) {
    const { rows } = await pool.query<SnapshotRow>({
      text: `SELECT (extract(epoch FROM time) * 1000)::float8, event_id, market_id, bookmaker, selection_id, side,
                    odds, size, point, selection_status, in_play, provider,
                    market_status, source_event_id, source_market_id, source_selection_id, handicap
               FROM ${snapshots}
              WHERE time >= $1 AND time <= $2
                ${after ? 'AND (time, event_id, market_id, bookmaker, side, selection_id) > ($4, $5, $6, $7, $8, $9)' : ''}
              ORDER BY time, event_id, market_id, bookmaker, side, selection_id
              LIMIT $3`,
      values: [new Date(range.from), new Date(range.to), pageRows, ...(after ?? [])],
      rowMode: 'array',
    });
    // Start times and sports of the page's new events, from the (small) events table.
    const unseen = [...new Set(rows.map((r) => r[1]))].filter((id) => !eventInfo.has(id));
    if (unseen.length > 0) {
      const found = await pool.query<{ event_id: string; start_time: Date | null; sport: string }>(
        `SELECT event_id, start_time, sport FROM ${events} WHERE event_id = ANY($1)`,
        [unseen],
      );
      for (const e of found.rows)
        eventInfo.set(e.event_id, { startTime: e.start_time?.getTime() ?? null, sport: e.sport });
    }
    for (const row of rows) {
      if (group.length > 0 && !sameBook(group[0]!, row)) {
        yield* emit(group);
        group = [];
      }
      group.push(row);
    }
    const end = rows[rows.length - 1];
    if (end === undefined || rows.length < pageRows) break;
    after = [new Date(end[0]), end[1], end[2], end[3], end[5], end[4]];
  }
  if (group.length > 0) yield* emit(group);
  while (nextResult < results.length) yield { kind: 'result', value: results[nextResult++]! };
}
