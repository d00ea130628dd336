import type { MarketBook, Selection } from '../../src/core/generated/avro-types.js';
import type { OddsRange } from '../validate/book-rules.js';
import { CrossedBookMemory, type SidePrice } from '../validate/crossed-book.js';
import type { Issue, ReasonCode } from '../validate/issues.js';
import type { StartTimeWindow } from '../validate/start-time-window.js';
import { validateBook } from '../validate/validate-book.js';
import type { AliasTables } from './aliases.js';
import { canonicalBookIds } from './canonical-ids.js';
import { contentHash } from './content-hash.js';
import { BookDedupe } from './dedupe.js';
import type { RacingEventKey } from './event-id.js';
import { defaultEventStartToleranceMs, EventRegistry } from './event-registry.js';
import { displayName } from './selection-id.js';

export interface NormalizeBookOptions {
  aliases: AliasTables;
  /** Stamps processedAt; the only clock the chain reads. */
  now: () => number;
  startTimeWindow?: StartTimeWindow;
  oddsRange?: OddsRange;
  racingEventKey?: RacingEventKey;
  /** Two events of one pair whose start times differ by more than this are two events (EventRegistry). */
  eventStartToleranceMs?: number;
}

/**
 * Bounded memory carried from book to book by one processor instance. Make a new state when a
 * transaction aborts or partitions move, so replayed books do not meet themselves — except for
 * `events`, which a replayed record finds as it left it (its provider event's id), so it is kept.
 */
export interface NormalizeBookState {
  crossedBooks: CrossedBookMemory;
  dedupe: BookDedupe;
  events: EventRegistry;
}

export function createNormalizeBookState(
  capacities: { crossedBookMarkets?: number; dedupeKeys?: number } = {},
  events: EventRegistry = new EventRegistry({ toleranceMs: defaultEventStartToleranceMs }),
): NormalizeBookState {
  return {
    crossedBooks: new CrossedBookMemory(capacities.crossedBookMarkets),
    dedupe: new BookDedupe(capacities.dedupeKeys),
    events,
  };
}

export type Rejection = {
  kind: 'rejected';
  stage: 'validate' | 'normalize';
  /** The first error's code (DeadLetter.reasonCode). */
  reasonCode: ReasonCode;
  errors: Issue[];
};

export type BookOutcome =
  { kind: 'book'; book: MarketBook } | { kind: 'duplicate'; eventId: string; marketId: string } | Rejection;

/**
 * Closed with every selection's outcome known: what Betfair sends once a market is settled. A
 * market closed with runners still ACTIVE (voided, or settlement to come) is not settled yet.
 */
function isSettled(status: string, selections: readonly Selection[]): boolean {
  return status === 'CLOSED' && selections.length > 0 && selections.every((s) => s.status !== 'ACTIVE');
}

function reject(stage: Rejection['stage'], errors: Issue[]): Rejection {
  // Callers only reject with at least one issue; SCHEMA is a fallback that never shows.
  return { kind: 'rejected', stage, reasonCode: errors[0]?.code ?? 'SCHEMA', errors };
}

/**
 * The validate → normalize chain for one raw book: schema and business rules (every issue),
 * canonical ids, decimal odds, crossed-book check against the other side, then dedupe of an
 * unchanged book. Pure apart from `state`, which the caller owns and passes in.
 */
export function normalizeBook(
  input: unknown,
  options: NormalizeBookOptions,
  state: NormalizeBookState,
): BookOutcome {
  const validation = validateBook(input, options);
  if (validation.kind === 'unreadable') return reject('validate', validation.issues);
  const { book, decimalOdds } = validation;
  const ids = canonicalBookIds(book, {
    aliases: options.aliases,
    racingEventKey: options.racingEventKey,
    events: state.events,
  });
  // A record is rejected by the earliest stage that fails, with all of that stage's issues.
  if (!ids.ok) {
    return validation.issues.length > 0
      ? reject('validate', validation.issues)
      : reject('normalize', ids.issues);
  }
  const { event, market, side, selectionKind, selectionIds } = ids.ids;

  const marketKey = `${event.eventId}:${market.marketId}:${book.bookmaker}`;
  const prices: SidePrice[] = book.selections.map((s, i) => ({
    selectionId: selectionIds[i] ?? s.sourceSelectionId,
    path: `selections[${i}].price`,
    decimalOdds: s.status === 'ACTIVE' ? (decimalOdds[i] ?? null) : null,
  }));
  const issues = [...validation.issues, ...state.crossedBooks.check(marketKey, side, prices, book.eventTime)];
  // A book that breaks other rules is not trusted as the latest price of its side; a crossed but
  // otherwise valid one is (it is what the provider shows now), so the crossing is reported once.
  if (validation.issues.length === 0) state.crossedBooks.record(marketKey, side, prices, book.eventTime);
  if (issues.length > 0) return reject('validate', issues);

  const selections: Selection[] = book.selections.map((s, i) => ({
    selectionId: selectionIds[i] ?? s.sourceSelectionId,
    name: displayName(selectionKind, s.name, options.aliases),
    decimalOdds: decimalOdds[i] ?? null,
    point: s.point,
    size: s.size,
    status: s.status,
    sourceSelectionId: s.sourceSelectionId,
    handicap: s.handicap,
    lastTradedPrice: s.lastTradedPrice,
    tradedVolume: s.tradedVolume,
    depth: s.depth,
    bspNear: s.bspNear,
    bspFar: s.bspFar,
  }));
  const hash = contentHash({
    status: book.status,
    inPlay: book.inPlay,
    numberOfPlaces: book.numberOfPlaces,
    selections,
  });
  const dedupeKey = { eventId: event.eventId, marketId: market.marketId, bookmaker: book.bookmaker, side };
  if (state.dedupe.isDuplicate(dedupeKey, hash)) {
    return { kind: 'duplicate', eventId: event.eventId, marketId: market.marketId };
  }
  return {
    kind: 'book',
    book: {
      eventId: event.eventId,
      marketId: market.marketId,
      marketType: market.marketType,
      line: market.line,
      sport: event.sport.sport,
      competition: book.competition,
      eventName: book.eventName,
      startTime: book.startTime,
      provider: book.provider,
      bookmaker: book.bookmaker,
      side,
      status: book.status,
      inPlay: book.inPlay,
      numberOfPlaces: book.numberOfPlaces,
      selections,
      sourceEventId: book.sourceEventId,
      sourceMarketId: book.sourceMarketId,
      eventTime: book.eventTime,
      receivedAt: book.receivedAt,
      processedAt: options.now(),
      contentHash: hash,
      settled: isSettled(book.status, selections),
      marketBaseRate: book.marketBaseRate,
      totalMatched: book.totalMatched,
    },
  };
}
