import type { Pool } from 'pg';
import { qualified } from '../../sinks/migrations/sql.js';
import { CrossBookState } from '../../processors/enrich/cross-book.js';
import type { MarginMethod } from '../../processors/enrich/margin-methods.js';
import { priceBook } from '../../processors/enrich/pricing.js';
import type { MarketBook, MarketPricing, Result } from '../generated/avro-types.js';
import { storedResults } from '../ops/features-store.js';
import type { BacktestEvent } from './engine.js';

interface SnapshotDbRow {
  time: Date;
  event_id: string;
  market_id: string;
  bookmaker: string;
  selection_id: string;
  side: string;
  odds: number;
  size: number | null;
  point: number | null;
  selection_status: string;
  in_play: boolean;
  provider: string;
  received_at: Date;
  start_time: Date | null;
  sport: string | null;
}

/** One bookmaker's book at one time, from its rows (one per priced selection) in odds_snapshots. */
function toBook(rows: readonly SnapshotDbRow[]): MarketBook {
  const r = rows[0]!;
  const [marketType, line] = r.market_id.split('@');
  const places = marketType === 'PLACE' && line !== undefined ? Number(line) : null;
  return {
    eventId: r.event_id,
    marketId: r.market_id,
    marketType: marketType!,
    line: marketType !== 'PLACE' && line !== undefined ? Number(line) : null,
    sport: r.sport ?? '',
    competition: null,
    eventName: null,
    startTime: r.start_time?.getTime() ?? null,
    provider: r.provider,
    bookmaker: r.bookmaker,
    side: r.side,
    // Not stored (issue 13 adds it): every stored book counts as open.
    status: 'OPEN',
    inPlay: r.in_play,
    numberOfPlaces: places,
    selections: rows.map((x) => ({
      selectionId: x.selection_id,
      name: null,
      decimalOdds: x.odds,
      point: x.point,
      size: x.size,
      status: x.selection_status,
    })),
    sourceEventId: '',
    sourceMarketId: '',
    eventTime: r.time.getTime(),
    receivedAt: r.received_at.getTime(),
    processedAt: r.time.getTime(),
    contentHash: '',
  };
}

/**
 * Stored books of [from, to] as the backtest's events, in time order, priced again with the
 * market's cross-book state built in that order (as the enrich stage does): the cross-book
 * columns of market_pricing reflect the order the processors read records in, which for a
 * backfill of several files is file by file, not time. Results settled from `from` on are
 * interleaved. Read in pages along (time, event, market, bookmaker, side, selection), so memory
 * holds a page and the cross-book state whatever the range. Start times and sports come from
 * `events`; market status is not stored, so no book counts as suspended here (files have it).
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
  let after: unknown[] | undefined;
  let group: SnapshotDbRow[] = [];
  const sameBook = (a: SnapshotDbRow, b: SnapshotDbRow) =>
    a.time.getTime() === b.time.getTime() &&
    a.event_id === b.event_id &&
    a.market_id === b.market_id &&
    a.bookmaker === b.bookmaker &&
    a.side === b.side;
  function* emit(rows: readonly SnapshotDbRow[]): Generator<BacktestEvent> {
    const book = toBook(rows);
    while (nextResult < results.length && results[nextResult]!.settledAt <= book.eventTime)
      yield { kind: 'result', value: results[nextResult++]! };
    const bookPricing = priceBook(book, { method: options.method, now: book.eventTime });
    const pricing: MarketPricing = { ...bookPricing, crossBook: crossBook.update(bookPricing, book.status) };
    yield { kind: 'book', value: book };
    yield { kind: 'pricing', value: pricing };
  }
  for (;;) {
    const { rows } = await pool.query<SnapshotDbRow>(
      `SELECT s.time, s.event_id, s.market_id, s.bookmaker, s.selection_id, s.side, s.odds, s.size, s.point,
              s.selection_status, s.in_play, s.provider, s.received_at, e.start_time, e.sport
         FROM ${snapshots} s LEFT JOIN ${events} e USING (event_id)
        WHERE s.time >= $1 AND s.time <= $2
          ${after ? 'AND (s.time, s.event_id, s.market_id, s.bookmaker, s.side, s.selection_id) > ($4, $5, $6, $7, $8, $9)' : ''}
        ORDER BY s.time, s.event_id, s.market_id, s.bookmaker, s.side, s.selection_id
        LIMIT $3`,
      [new Date(range.from), new Date(range.to), pageRows, ...(after ?? [])],
    );
    for (const row of rows) {
      if (group.length > 0 && !sameBook(group[0]!, row)) {
        yield* emit(group);
        group = [];
      }
      group.push(row);
    }
    const end = rows[rows.length - 1];
    if (end === undefined || rows.length < pageRows) break;
    after = [end.time, end.event_id, end.market_id, end.bookmaker, end.side, end.selection_id];
  }
  if (group.length > 0) yield* emit(group);
  while (nextResult < results.length) yield { kind: 'result', value: results[nextResult++]! };
}
