import type {
  FeaturesSelection,
  MarketFeatures,
  MarketOpening,
  MarketPricing,
} from '../../src/core/generated/avro-types.js';
import {
  appendPoint,
  minuteMs,
  oddsVolatility,
  probabilityVelocity,
  trimPoints,
  type SeriesPoint,
} from './windows.js';

const longestWindowMs = 5 * minuteMs;

interface SelectionState {
  name: string | null;
  openingOdds: number;
  /** Event time the selection was first seen. */
  openedAt: number;
  points: SeriesPoint[];
}

interface BookState {
  eventTime: number;
  overround: number;
}

/** What the stage remembers of one market (eventId:marketId, back side). */
export interface MarketState {
  readonly eventId: string;
  readonly marketId: string;
  /** The latest event time applied; the market's own clock, which never goes backwards. */
  watermark: number;
  startTime: number | null;
  readonly books: Map<string, BookState>;
  readonly selections: Map<string, SelectionState>;
  /** A selection opened since the openings were last taken (see FeaturesStage.takeOpenings). */
  openingsChanged: boolean;
}

export function newMarketState(eventId: string, marketId: string): MarketState {
  return {
    eventId,
    marketId,
    watermark: -Infinity,
    startTime: null,
    books: new Map(),
    selections: new Map(),
    openingsChanged: false,
  };
}

/** Seeds a market with opening odds it had before a restart; selections already known keep theirs. */
export function restoreOpenings(state: MarketState, opening: MarketOpening): void {
  for (const o of opening.selections) {
    if (state.selections.has(o.selectionId)) continue;
    state.selections.set(o.selectionId, {
      name: null,
      openingOdds: o.openingOdds,
      openedAt: o.openedAt,
      points: [],
    });
  }
  // Only the market's idle clock: the windows start empty and fill from the replayed records.
  state.watermark = Math.max(state.watermark, opening.updatedAt);
}

export function openingsOf(state: MarketState): MarketOpening {
  const selections = [...state.selections].map(([selectionId, s]) => ({
    selectionId,
    openingOdds: s.openingOdds,
    openedAt: s.openedAt,
  }));
  return {
    eventId: state.eventId,
    marketId: state.marketId,
    selections,
    updatedAt: selections.reduce((t, s) => Math.max(t, s.openedAt), 0),
  };
}

/** Odds and probabilities that the window maths can use; anything else is skipped, never averaged in. */
const usableOdds = (odds: number) => Number.isFinite(odds) && odds > 1;
const usableProbability = (p: number) => Number.isFinite(p) && p >= 0 && p <= 1;

export type UpdateOutcome =
  | { kind: 'features'; features: MarketFeatures }
  /** Applied, but no selection had usable odds and a usable consensus: nothing to publish. */
  | { kind: 'empty' }
  | { kind: 'stale' }
  /** A non-finite event time or overround: nothing is applied. */
  | { kind: 'invalid' };

/**
 * Applies one book's pricing to its market and returns the market's features: every selection of
 * its cross-book state, in one record.
 *
 * Event time and late records:
 * - A record older than the last one applied *for the same book* is stale (a redelivery or a
 *   reordered retry): it changes nothing and yields nothing.
 * - A record older than the market's watermark but new for its book (bookmakers' clocks and poll
 *   cycles differ) is applied at the watermark: its book's overround and the cross-book state it
 *   carries are current, but the windows only ever advance, so no point is inserted in the past.
 */
export function updateMarket(state: MarketState, record: MarketPricing, resolutionMs: number): UpdateOutcome {
  if (!Number.isFinite(record.eventTime) || !Number.isFinite(record.overround)) return { kind: 'invalid' };
  const bookKey = `${record.provider}/${record.bookmaker}`;
  const previous = state.books.get(bookKey);
  if (previous !== undefined && record.eventTime < previous.eventTime) return { kind: 'stale' };
  state.books.set(bookKey, { eventTime: record.eventTime, overround: record.overround });
  const now = Math.max(state.watermark, record.eventTime);
  state.watermark = now;
  state.startTime = record.startTime ?? state.startTime;

  const names = new Map(record.selections.map((s) => [s.selectionId, s.name]));
  const marketOverround = meanOverround(state);
  const selections: FeaturesSelection[] = [];
  for (const best of record.crossBook.selections) {
    if (!usableOdds(best.bestOdds) || !usableProbability(best.consensusFairProbability)) continue;
    let selection = state.selections.get(best.selectionId);
    if (selection === undefined) {
      selection = { name: null, openingOdds: best.bestOdds, openedAt: now, points: [] };
      state.selections.set(best.selectionId, selection);
      state.openingsChanged = true;
    }
    selection.name = names.get(best.selectionId) ?? selection.name;
    appendPoint(
      selection.points,
      { t: now, p: best.consensusFairProbability, odds: best.bestOdds },
      resolutionMs,
    );
    trimPoints(selection.points, now, longestWindowMs);
    selections.push({
      selectionId: best.selectionId,
      name: selection.name,
      openingOdds: selection.openingOdds,
      currentOdds: best.bestOdds,
      changeSinceOpen: best.bestOdds / selection.openingOdds - 1,
      consensusProbability: best.consensusFairProbability,
      probabilityVelocity1m: probabilityVelocity(selection.points, minuteMs),
      probabilityVelocity5m: probabilityVelocity(selection.points, longestWindowMs),
      volatility5m: oddsVolatility(selection.points, longestWindowMs),
      bestBookmaker: best.bestBookmaker,
      bestProvider: best.provider,
      sourceEventId: best.sourceEventId,
      sourceMarketId: best.sourceMarketId,
      sourceSelectionId: best.sourceSelectionId,
      handicap: best.handicap,
      quoteTime: best.quoteTime,
    });
  }
  if (selections.length === 0) return { kind: 'empty' };
  return {
    kind: 'features',
    features: {
      eventId: state.eventId,
      marketId: state.marketId,
      eventTime: now,
      startTime: state.startTime,
      secondsToStart: state.startTime === null ? null : (state.startTime - now) / 1000,
      inPlay: record.inPlay,
      numberOfBooks: record.crossBook.bookCount,
      marketOverround,
      phase: record.crossBook.phase,
      selections,
    },
  };
}

/** Mean of the latest overround of every book; divided term by term so huge inputs cannot overflow. */
function meanOverround(state: MarketState): number {
  let mean = 0;
  for (const book of state.books.values()) mean += book.overround / state.books.size;
  return mean;
}
