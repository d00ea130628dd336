import type {
  MarketBook,
  MarketPricing,
  Selection,
  SelectionPricing,
} from '../../src/core/generated/avro-types.js';
import { commissionOf, defaultCommissions, type CommissionTable } from './commission.js';
import { marginMethods, removeMargin, removeMarginByEveryMethod } from './margin-methods.js';
import type { MarginMethod } from './margin-methods.js';

/** A book's pricing before the cross-book state of its market is attached. */
export type BookPricing = Omit<MarketPricing, 'crossBook'>;

export interface PriceBookOptions {
  method: MarginMethod;
  /** Wall-clock milliseconds, stamped as processedAt. */
  now: number;
  /**
   * The methods in `fairProbabilities`; default every one (what odds.pricing carries). A backtest
   * that only needs the chosen one skips the other solvers, most of the pricing time.
   */
  methods?: readonly MarginMethod[];
  /** Commission per bookmaker when the book states no rate of its own; defaultCommissions if absent. */
  commissions?: CommissionTable;
}

/**
 * Validation already bounds odds to [1.01, 1000]; this is the math's own guard. Odds outside
 * [1, 1e6] (NaN, Infinity, below 1 — a probability above 1 — or absurdly long) are treated as
 * unpriced, so that π and 1/p stay far from underflow and overflow.
 */
export const maxPriceableOdds = 1e6;

type PricedSelection = Selection & { decimalOdds: number };

export function isPriced(selection: Selection): selection is PricedSelection {
  const odds = selection.decimalOdds;
  return selection.status === 'ACTIVE' && odds !== null && odds >= 1 && odds <= maxPriceableOdds;
}

/** Betfair's numberOfWinners: 1 for a win market, P for a place market paying P places. */
function placesOf(book: MarketBook): number {
  const places = book.numberOfPlaces;
  return places !== null && Number.isSafeInteger(places) && places >= 1 ? places : 1;
}

function at(values: readonly number[], index: number): number {
  const value = values[index];
  if (value === undefined) throw new RangeError(`no value at ${index} of ${values.length}`);
  return value;
}

/**
 * Overround and fair probabilities of one book (one bookmaker, one side). Only ACTIVE selections
 * with a price take part: removed runners are out of the book, as in the overround a bookmaker
 * quotes after a withdrawal. docs/odds-math.md describes each status.
 */
export function priceBook(book: MarketBook, options: PriceBookOptions): BookPricing {
  const places = placesOf(book);
  const priced = book.selections.filter(isPriced);
  const implied = priced.map((selection) => 1 / selection.decimalOdds);
  const total = implied.reduce((sum, p) => sum + p, 0);
  const listed = options.methods ?? marginMethods;
  const byMethod =
    options.methods === undefined
      ? removeMarginByEveryMethod(implied, { places })
      : Object.fromEntries(
          [...new Set([options.method, ...listed])].map((m) => [m, removeMargin(implied, m, { places })]),
        );
  const chosen = byMethod[options.method];

  const selections = priced.map((selection, index): SelectionPricing => {
    const fairProbability = at(chosen.probabilities, index);
    return {
      selectionId: selection.selectionId,
      name: selection.name,
      decimalOdds: selection.decimalOdds,
      impliedProbability: at(implied, index),
      fairProbability,
      fairOdds: 1 / fairProbability,
      fairProbabilities: Object.fromEntries(
        listed.map((method) => [method, at(byMethod[method].probabilities, index)]),
      ),
      sourceSelectionId: selection.sourceSelectionId,
      handicap: selection.handicap,
      size: selection.size,
    };
  });

  return {
    eventId: book.eventId,
    marketId: book.marketId,
    marketType: book.marketType,
    provider: book.provider,
    bookmaker: book.bookmaker,
    side: book.side,
    inPlay: book.inPlay,
    startTime: book.startTime,
    numberOfPlaces: book.numberOfPlaces,
    method: options.method,
    overround: total / places - 1,
    bookPercentage: 100 * total,
    pricingStatus: chosen.status,
    selections,
    eventTime: book.eventTime,
    processedAt: options.now,
    status: book.status,
    sourceEventId: book.sourceEventId,
    sourceMarketId: book.sourceMarketId,
    commission: commissionOf(book, options.commissions ?? defaultCommissions),
  };
}
