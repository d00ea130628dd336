import type { RawMarketBook, RawResult } from '../../src/core/generated/avro-types.js';
import type { Issue } from '../validate/issues.js';
import type { AliasTables } from './aliases.js';
import { canonicalEvent, type CanonicalEvent, type RacingEventKey } from './event-id.js';
import type { EventRegistry } from './event-registry.js';
import { canonicalMarket, canonicalMarketType, type CanonicalMarket } from './market-id.js';
import { selectionIdFor, selectionKindFor, type SelectionKind } from './selection-id.js';

export interface IdOptions {
  aliases: AliasTables;
  racingEventKey?: RacingEventKey;
  /** Tells two same-day events of one pair apart; without it a pair's events of a day share an id. */
  events?: EventRegistry;
}

/** The canonical event of a record, with the registry's final id when there is one. */
function eventOf(input: Parameters<typeof canonicalEvent>[0], options: IdOptions): CanonicalEvent {
  const event = canonicalEvent(input, options.aliases, options.racingEventKey);
  if (options.events === undefined) return event;
  return { ...event, eventId: options.events.resolve(event, input) };
}

export interface BookIds {
  event: CanonicalEvent;
  market: CanonicalMarket;
  side: 'back' | 'lay';
  selectionKind: SelectionKind;
  /** One per selection of the record, same order. */
  selectionIds: string[];
}

export type IdsOutcome<T> = { ok: true; ids: T } | { ok: false; issues: Issue[] };

/**
 * Every canonical id of a book. The same functions name a result (canonicalResultIds), so a
 * result lands on the event and market of the books it settles.
 */
export function canonicalBookIds(book: RawMarketBook, options: IdOptions): IdsOutcome<BookIds> {
  const event = eventOf(book, options);
  const selectionKind = selectionKindFor(canonicalMarketType(book.marketType).marketType, event.racing);
  const selectionIds = book.selections.map((s) =>
    selectionIdFor(selectionKind, book.provider, s, options.aliases),
  );
  const market = canonicalMarket(
    book.marketType,
    book.numberOfPlaces,
    book.selections.map((s, index) => ({ selectionId: selectionIds[index] ?? '', point: s.point, index })),
  );
  if (!market.ok) return market;
  // The Odds API's *_lay markets are the exchanges' lay side whatever the record says.
  const side = market.market.lay ? 'lay' : book.side === 'lay' ? 'lay' : 'back';
  return { ok: true, ids: { event, market: market.market, side, selectionKind, selectionIds } };
}

export interface ResultIds {
  event: CanonicalEvent;
  marketId: string | null;
  selectionKind: SelectionKind;
  /** Ids of the runners, same order. */
  runnerIds: string[];
  /** Ids of the scores' names, same order. */
  scoreIds: string[];
}

export function canonicalResultIds(result: RawResult, options: IdOptions): IdsOutcome<ResultIds> {
  const event = eventOf({ ...result, marketName: null }, options);
  const marketType = result.marketType === null ? null : canonicalMarketType(result.marketType).marketType;
  const selectionKind = selectionKindFor(marketType ?? 'H2H', event.racing);
  const runnerIds = result.runners.map((r) =>
    selectionIdFor(selectionKind, result.provider, r, options.aliases),
  );
  const scoreIds = result.scores.map((s) =>
    selectionIdFor(
      'participant',
      result.provider,
      { name: s.name, sourceSelectionId: s.name },
      options.aliases,
    ),
  );
  if (result.marketType === null)
    return { ok: true, ids: { event, marketId: null, selectionKind, runnerIds, scoreIds } };
  const market = canonicalMarket(
    result.marketType,
    result.numberOfPlaces,
    runnerIds.map((selectionId, index) => ({ selectionId, point: null, index })),
    'runners',
  );
  if (!market.ok) return market;
  return { ok: true, ids: { event, marketId: market.market.marketId, selectionKind, runnerIds, scoreIds } };
}
