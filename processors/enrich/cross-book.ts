import type { BestPrice, CrossBook } from '../../src/generated/avro-types.js';
import type { BookPricing } from './pricing.js';

export interface CrossBookOptions {
  /** Markets (event, market, side) held at once; the least recently updated is dropped first. */
  maxMarkets: number;
  /** Bookmakers held per market; the least recently updated is dropped first. */
  maxBooksPerMarket: number;
}

export const crossBookDefaults: CrossBookOptions = { maxMarkets: 50_000, maxBooksPerMarket: 64 };

interface Quote {
  odds: number;
  fairProbability: number;
}

interface BookState {
  eventTime: number;
  pricingStatus: string;
  quotes: Map<string, Quote>;
}

interface MarketState {
  eventId: string;
  side: string;
  lastEventTime: number;
  books: Map<string, BookState>;
}

interface Best {
  odds: number;
  bookmaker: string;
  /** Over books in the consensus. */
  fairSum: number;
  fairCount: number;
  /** Over every quoting book: the consensus when none of them is in it. */
  anySum: number;
  anyCount: number;
}

/** Map iteration follows insertion order, so re-inserting on every touch makes the first key the LRU. */
function touch<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
}

function firstKey<K, V>(map: Map<K, V>): K | undefined {
  for (const key of map.keys()) return key;
  return undefined;
}

/**
 * Best prices, consensus and arbitrage across the bookmakers of one market and side. Normalized
 * topics are keyed eventId:marketId, so every book of a market reaches the same partition and
 * one instance per consumer holds the whole state of its markets (ARCHITECTURE.md §2).
 */
export class CrossBookState {
  readonly #options: CrossBookOptions;
  readonly #markets = new Map<string, MarketState>();
  readonly #marketsByEvent = new Map<string, Set<string>>();

  constructor(options: Partial<CrossBookOptions> = {}) {
    this.#options = { ...crossBookDefaults, ...options };
    if (this.#options.maxMarkets < 1 || this.#options.maxBooksPerMarket < 1) {
      throw new RangeError('maxMarkets and maxBooksPerMarket must be at least 1');
    }
  }

  /** Markets held. */
  get size(): number {
    return this.#markets.size;
  }

  /**
   * Records `pricing` as its bookmaker's current book and returns the market's cross-book state.
   * A book that is not OPEN quotes nothing (its prices cannot be taken), and a selection absent
   * from `pricing.selections` (removed, suspended, unpriced) is no longer quoted by that book.
   * A book older (by event time) than the one held for the same bookmaker is ignored.
   */
  update(pricing: BookPricing, bookStatus: string): CrossBook {
    const key = [pricing.eventId, pricing.marketId, pricing.side].join('\u0000');
    const market = this.#markets.get(key) ?? this.#addMarket(key, pricing);
    touch(this.#markets, key, market);
    market.lastEventTime = Math.max(market.lastEventTime, pricing.eventTime);

    const held = market.books.get(pricing.bookmaker);
    if (held === undefined || pricing.eventTime >= held.eventTime) {
      const quotes = new Map<string, Quote>();
      if (bookStatus === 'OPEN') {
        for (const s of pricing.selections) {
          quotes.set(s.selectionId, { odds: s.decimalOdds, fairProbability: s.fairProbability });
        }
      }
      touch(market.books, pricing.bookmaker, {
        eventTime: pricing.eventTime,
        pricingStatus: pricing.pricingStatus,
        quotes,
      });
      if (market.books.size > this.#options.maxBooksPerMarket) {
        const oldest = firstKey(market.books);
        if (oldest !== undefined) market.books.delete(oldest);
      }
    }
    return crossBookOf(market);
  }

  /** Drops every market of a finished event; returns how many were dropped. */
  evictEvent(eventId: string): number {
    const keys = this.#marketsByEvent.get(eventId);
    if (keys === undefined) return 0;
    for (const key of keys) this.#markets.delete(key);
    this.#marketsByEvent.delete(eventId);
    return keys.size;
  }

  /** Drops markets whose latest book is older than `eventTime` (ms); returns how many. */
  evictNotUpdatedSince(eventTime: number): number {
    let dropped = 0;
    for (const [key, market] of this.#markets) {
      if (market.lastEventTime < eventTime) {
        this.#remove(key, market.eventId);
        dropped++;
      }
    }
    return dropped;
  }

  #addMarket(key: string, pricing: BookPricing): MarketState {
    const market: MarketState = {
      eventId: pricing.eventId,
      side: pricing.side,
      lastEventTime: pricing.eventTime,
      books: new Map(),
    };
    if (this.#markets.size >= this.#options.maxMarkets) {
      const oldest = firstKey(this.#markets);
      const evicted = oldest === undefined ? undefined : this.#markets.get(oldest);
      if (oldest !== undefined && evicted !== undefined) this.#remove(oldest, evicted.eventId);
    }
    const keys = this.#marketsByEvent.get(pricing.eventId) ?? new Set<string>();
    keys.add(key);
    this.#marketsByEvent.set(pricing.eventId, keys);
    return market;
  }

  #remove(key: string, eventId: string): void {
    this.#markets.delete(key);
    const keys = this.#marketsByEvent.get(eventId);
    keys?.delete(key);
    if (keys?.size === 0) this.#marketsByEvent.delete(eventId);
  }
}

/**
 * Back: the highest odds are best; lay: the lowest (the cheapest liability). Ties go to the
 * bookmaker whose name sorts first, so a replay of the same stream gives the same answer.
 * The consensus leaves out SINGLE_SELECTION books, whose "fair" value still holds the margin,
 * unless no other book quotes the selection.
 */
function crossBookOf(market: MarketState): CrossBook {
  const lay = market.side === 'lay';
  const best = new Map<string, Best>();
  const live = [...market.books].filter(([, book]) => book.quotes.size > 0);
  for (const [bookmaker, book] of live) {
    const inConsensus = book.pricingStatus !== 'SINGLE_SELECTION';
    for (const [selectionId, quote] of book.quotes) {
      const current = best.get(selectionId);
      const entry = current ?? {
        odds: quote.odds,
        bookmaker,
        fairSum: 0,
        fairCount: 0,
        anySum: 0,
        anyCount: 0,
      };
      const better = lay ? quote.odds < entry.odds : quote.odds > entry.odds;
      if (better || (quote.odds === entry.odds && bookmaker < entry.bookmaker)) {
        entry.odds = quote.odds;
        entry.bookmaker = bookmaker;
      }
      if (inConsensus) {
        entry.fairSum += quote.fairProbability;
        entry.fairCount++;
      }
      entry.anySum += quote.fairProbability;
      entry.anyCount++;
      best.set(selectionId, entry);
    }
  }

  const selections: BestPrice[] = [...best]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([selectionId, entry]) => ({
      selectionId,
      bestOdds: entry.odds,
      bestBookmaker: entry.bookmaker,
      consensusFairProbability:
        entry.fairCount > 0 ? entry.fairSum / entry.fairCount : entry.anySum / entry.anyCount,
    }));
  const bestBookSum = selections.reduce((sum, s) => sum + 1 / s.bestOdds, 0);

  // Σ 1/best < 1 is only an arbitrage if the selections are the whole market: a book that lists
  // two outcomes of three also sums below 1. Require a book at or above 100 % (neither
  // UNDER_ROUND nor SINGLE_SELECTION) that quotes all of them.
  const complete =
    selections.length >= 2 &&
    live.some(
      ([, book]) =>
        (book.pricingStatus === 'OK' || book.pricingStatus === 'NOT_CONVERGED') &&
        selections.every((s) => book.quotes.has(s.selectionId)),
    );
  return {
    bookCount: live.length,
    bestBookSum,
    arbitrage: market.side === 'back' && complete && bestBookSum < 1,
    selections,
  };
}
