import type { BestPrice, CrossBook } from '../../src/core/generated/avro-types.js';
import { LruMap } from '../../src/core/lru-map.js';
import { MarketStore, marketKey } from '../state/market-store.js';
import { backBackArbitrage, backLayArbitrage, type QuoteRef } from './arbitrage.js';
import { netOdds } from './commission.js';
import {
  freshnessDefaults,
  isFutureStamped,
  leftOutReason,
  phaseOf,
  type FreshnessOptions,
  type LeftOutReason,
  type Phase,
} from './freshness.js';
import type { BookPricing } from './pricing.js';

export interface CrossBookOptions {
  /** Markets (event, market) held at once; the least recently updated is dropped first. */
  maxMarkets: number;
  /** Books (bookmaker and side) held per market; the least recently updated is dropped first. */
  maxBooksPerMarket: number;
  freshness: FreshnessOptions;
  /**
   * Called when a bookmaker's quotes stop being combined, with why and how many quotes: once per
   * change of reason, not on every update of the market (the Prometheus counter of quotes left out).
   */
  onLeftOut?: (reason: LeftOutReason, quotes: number) => void;
  /** Called when a market's arbitrage of a kind opens (not again while it stays open). */
  onArbitrageOpened?: (kind: ArbitrageKind) => void;
}

export type ArbitrageKind = 'back-back' | 'back-lay';

export const crossBookDefaults: CrossBookOptions = {
  maxMarkets: 50_000,
  maxBooksPerMarket: 128,
  freshness: freshnessDefaults,
};

type Side = 'back' | 'lay';

interface Quote {
  odds: number;
  fairProbability: number;
  size: number | null;
  sourceSelectionId: string | null;
  handicap: number | null;
}

interface BookState {
  bookmaker: string;
  provider: string;
  side: Side;
  status: string;
  phase: Phase;
  eventTime: number;
  future: boolean;
  pricingStatus: string;
  commission: number;
  sourceEventId: string | null;
  sourceMarketId: string | null;
  quotes: Map<string, Quote>;
  /** The reason it was last found left out for (null: combined), to count changes only. */
  leftOut: LeftOutReason | null;
}

interface MarketState {
  lastEventTime: number;
  places: number;
  /** Least recently updated first: the order books are judged and combined in. */
  books: LruMap<string, BookState>;
  /** The kinds of arbitrage open at the last update, to report each opening once. */
  arbitrage: ReadonlySet<ArbitrageKind>;
}

/** A quote with its book, as the cross-book selection sees it. */
interface Candidate {
  ref: QuoteRef;
  book: BookState;
  fairProbability: number;
}

/** Code-unit order, as Array.prototype.sort: no locale data involved, the same everywhere. */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const sideOf = (side: string): Side => (side === 'lay' ? 'lay' : 'back');

function placesOf(places: number | null): number {
  return places !== null && Number.isSafeInteger(places) && places >= 1 ? places : 1;
}

/**
 * Best prices, consensus and arbitrage across the bookmakers of one market, both sides.
 * Normalized topics are keyed eventId:marketId, so every book of a market reaches the same
 * partition and one instance per consumer holds the whole state of its markets (ARCHITECTURE.md §2).
 * Only quotes that can be taken now are combined: OPEN books of the market's phase, fresh, and
 * not stamped in the future (freshness.ts; docs/odds-math.md section 6).
 */
export class CrossBookState {
  readonly #options: CrossBookOptions;
  readonly #markets: MarketStore<MarketState>;

  constructor(options: Partial<CrossBookOptions> = {}) {
    this.#options = { ...crossBookDefaults, ...options };
    if (this.#options.maxMarkets < 1 || this.#options.maxBooksPerMarket < 1) {
      throw new RangeError('maxMarkets and maxBooksPerMarket must be at least 1');
    }
    this.#markets = new MarketStore({
      maxMarkets: this.#options.maxMarkets,
      lastEventTime: (market) => market.lastEventTime,
    });
  }

  /** Markets held. */
  get size(): number {
    return this.#markets.size;
  }

  /**
   * Records `pricing` as its bookmaker's current book of its side and returns the market's
   * cross-book state for that side. A book older (by event time) than the one held for the same
   * bookmaker and side changes nothing (bookLeftOut says `superseded`). `receivedAt` is when
   * the book reached the pipeline: a book stamped too far after it is left out as `future`.
   */
  update(pricing: BookPricing, receivedAt: number): CrossBook {
    const market = this.#markets.use(marketKey(pricing.eventId, pricing.marketId), () => this.#newMarket());
    market.lastEventTime = Math.max(market.lastEventTime, pricing.eventTime);
    market.places = placesOf(pricing.numberOfPlaces);

    const side = sideOf(pricing.side);
    const bookKey = `${side}\u0000${pricing.bookmaker}`;
    const held = market.books.peek(bookKey);
    const superseded = held !== undefined && pricing.eventTime < held.eventTime;
    if (!superseded) market.books.set(bookKey, this.#bookOf(pricing, side, receivedAt, held));
    return this.#crossBookOf(market, side, superseded ? 'superseded' : bookKey);
  }

  /** Drops markets whose latest book is older than `eventTime` (ms); returns how many. */
  evictNotUpdatedSince(eventTime: number): number {
    return this.#markets.sweepIdle(eventTime);
  }

  #bookOf(pricing: BookPricing, side: Side, receivedAt: number, held: BookState | undefined): BookState {
    const quotes = new Map<string, Quote>();
    for (const s of pricing.selections) {
      quotes.set(s.selectionId, {
        odds: s.decimalOdds,
        fairProbability: s.fairProbability,
        size: s.size,
        sourceSelectionId: s.sourceSelectionId,
        handicap: s.handicap,
      });
    }
    return {
      bookmaker: pricing.bookmaker,
      provider: pricing.provider,
      side,
      // Records written before `status` existed came only from books that were quoting.
      status: pricing.status ?? 'OPEN',
      phase: phaseOf(pricing),
      eventTime: pricing.eventTime,
      future: isFutureStamped(pricing.eventTime, receivedAt, this.#options.freshness),
      pricingStatus: pricing.pricingStatus,
      commission: pricing.commission ?? 0,
      sourceEventId: pricing.sourceEventId,
      sourceMarketId: pricing.sourceMarketId,
      quotes,
      // A bookmaker still suspended in its next book is not counted a second time.
      leftOut: held?.leftOut ?? null,
    };
  }

  /**
   * The market's phase and clock, every held book judged against them (counting the changes),
   * then best prices, consensus and arbitrage over the combined books.
   */
  #crossBookOf(market: MarketState, side: Side, recordBook: string): CrossBook {
    const trusted = [...market.books.values()].filter((b) => !b.future);
    // In play is one-way: once any quote of the market is, pre-match prices cannot be taken.
    const phase: Phase = trusted.some((b) => b.phase === 'in-play') ? 'in-play' : 'pre-match';
    const asOf = trusted.length > 0 ? Math.max(...trusted.map((b) => b.eventTime)) : null;

    const combined: BookState[] = [];
    const leftOut: Record<string, number> = {};
    let bookLeftOut: string | null = recordBook === 'superseded' ? 'superseded' : null;
    for (const [key, book] of market.books) {
      const reason = leftOutReason(book, phase, asOf ?? book.eventTime, this.#options.freshness);
      if (reason !== book.leftOut && reason !== null && book.quotes.size > 0) {
        this.#options.onLeftOut?.(reason, book.quotes.size);
      }
      book.leftOut = reason;
      if (key === recordBook) bookLeftOut = reason;
      if (book.quotes.size === 0) continue;
      if (reason === null) combined.push(book);
      else if (book.side === side) leftOut[reason] = (leftOut[reason] ?? 0) + 1;
    }

    const backs = candidatesBySelection(combined, 'back');
    const lays = candidatesBySelection(combined, 'lay');
    const selections = [...(side === 'back' ? backs : lays)].map(([selectionId, candidates]) =>
      bestPrice(selectionId, candidates, asOf),
    );
    const bestBookSum = selections.reduce((sum, s) => sum + 1 / s.bestOdds, 0);

    const backBack = wholeMarket(combined, backs)
      ? backBackArbitrage(
          [...backs.values()].map((c) => c[0]!.ref),
          market.places,
        )
      : null;
    const backLay = [...backs].flatMap(([selectionId, backQuotes]) => {
      const layQuotes = lays.get(selectionId);
      const found =
        layQuotes === undefined
          ? null
          : backLayArbitrage(
              backQuotes.map((c) => c.ref),
              layQuotes.map((c) => c.ref),
            );
      return found === null ? [] : [found];
    });

    const open = new Set<ArbitrageKind>();
    if (backBack !== null) open.add('back-back');
    if (backLay.length > 0) open.add('back-lay');
    for (const kind of open) if (!market.arbitrage.has(kind)) this.#options.onArbitrageOpened?.(kind);
    market.arbitrage = open;

    return {
      bookCount: combined.filter((b) => b.side === side).length,
      bestBookSum,
      arbitrage: backBack !== null || backLay.length > 0,
      selections,
      phase,
      asOf,
      leftOut,
      bookLeftOut,
      backBack,
      backLay,
    };
  }

  #newMarket(): MarketState {
    return {
      lastEventTime: -Infinity,
      places: 1,
      books: new LruMap(this.#options.maxBooksPerMarket),
      arbitrage: new Set(),
    };
  }
}

/**
 * The combined quotes of one side by selection (selections in id order), best first: back the
 * highest net odds, lay the lowest (the cheapest liability after commission). Ties go to the
 * bookmaker whose name sorts first, so a replay of the same stream gives the same answer.
 */
function candidatesBySelection(books: readonly BookState[], side: Side): Map<string, Candidate[]> {
  const bySelection = new Map<string, Candidate[]>();
  for (const book of books) {
    if (book.side !== side) continue;
    for (const [selectionId, quote] of book.quotes) {
      const candidate: Candidate = {
        book,
        fairProbability: quote.fairProbability,
        ref: {
          selectionId,
          bookmaker: book.bookmaker,
          provider: book.provider,
          odds: quote.odds,
          net: netOdds(quote.odds, book.commission, side),
          commission: book.commission,
          size: quote.size,
          sourceEventId: book.sourceEventId,
          sourceMarketId: book.sourceMarketId,
          sourceSelectionId: quote.sourceSelectionId,
          handicap: quote.handicap,
          quoteTime: book.eventTime,
        },
      };
      const list = bySelection.get(selectionId);
      if (list === undefined) bySelection.set(selectionId, [candidate]);
      else list.push(candidate);
    }
  }
  const better = side === 'back' ? (a: number, b: number) => b - a : (a: number, b: number) => a - b;
  for (const list of bySelection.values()) {
    list.sort((x, y) => better(x.ref.net, y.ref.net) || byCodeUnits(x.ref.bookmaker, y.ref.bookmaker));
  }
  return new Map([...bySelection].sort(([a], [b]) => byCodeUnits(a, b)));
}

/**
 * The consensus leaves out SINGLE_SELECTION books, whose "fair" value still holds the margin,
 * unless no other book quotes the selection.
 */
function bestPrice(selectionId: string, candidates: readonly Candidate[], asOf: number | null): BestPrice {
  const best = candidates[0]!;
  const inConsensus = candidates.filter((c) => c.book.pricingStatus !== 'SINGLE_SELECTION');
  const pool = inConsensus.length > 0 ? inConsensus : candidates;
  const consensus = pool.reduce((sum, c) => sum + c.fairProbability, 0) / pool.length;
  return {
    selectionId,
    bestOdds: best.ref.odds,
    bestBookmaker: best.ref.bookmaker,
    consensusFairProbability: consensus,
    netOdds: best.ref.net,
    size: best.ref.size,
    quoteTime: best.book.eventTime,
    ageMs: asOf === null ? null : asOf - best.book.eventTime,
    provider: best.ref.provider,
    sourceEventId: best.ref.sourceEventId,
    sourceMarketId: best.ref.sourceMarketId,
    sourceSelectionId: best.ref.sourceSelectionId,
    handicap: best.ref.handicap,
  };
}

/**
 * Σ 1/best < 1 is only an arbitrage if the selections are the whole market: a book that lists
 * two outcomes of three also sums below 1. Requires a combined back book at or above 100 %
 * (neither UNDER_ROUND nor SINGLE_SELECTION) that quotes all of them.
 */
function wholeMarket(books: readonly BookState[], backs: ReadonlyMap<string, Candidate[]>): boolean {
  if (backs.size < 2) return false;
  return books.some(
    (book) =>
      book.side === 'back' &&
      (book.pricingStatus === 'OK' || book.pricingStatus === 'NOT_CONVERGED') &&
      [...backs.keys()].every((id) => book.quotes.has(id)),
  );
}
