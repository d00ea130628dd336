import type { MarketBook, MarketPricing } from '../../core/generated/avro-types.js';
import type { MarketView, Quote } from './strategy.js';

/**
 * How old a quote may be and still be taken, by phase. A quote older than this is not shown to
 * a strategy and a fill against it is refused. Pre-match prices move slowly and polled
 * bookmakers refresh every minute or so; in play a price is worth seconds.
 */
export interface FreshnessRule {
  preMatchMaxAgeMs: number;
  inPlayMaxAgeMs: number;
}

export const defaultFreshness: FreshnessRule = { preMatchMaxAgeMs: 10 * 60_000, inPlayMaxAgeMs: 10_000 };

interface Book {
  provider: string;
  bookmaker: string;
  side: 'back' | 'lay';
  eventTime: number;
  inPlay: boolean;
  open: boolean;
  odds: Map<string, number>;
}

interface MarketState {
  eventId: string;
  marketId: string;
  marketType: string;
  startTime: number | null;
  numberOfPlaces: number | null;
  books: Map<string, Book>;
  consensus: Map<string, number>;
  selections: Set<string>;
}

const bookKey = (bookmaker: string, side: string) => `${bookmaker}\u0000${side}`;

/**
 * The latest book of every bookmaker and side of each market, from pricing records (and market
 * books, for suspension), with the quotes a strategy may take at a given time: those of open
 * books, no older than the freshness rule allows for the quote's phase. Live and backtest share it.
 */
export class MarketBoard {
  private readonly markets = new Map<string, MarketState>();
  private now = -Infinity;

  constructor(private readonly freshness: FreshnessRule = defaultFreshness) {}

  private market(r: {
    eventId: string;
    marketId: string;
    marketType: string;
    startTime: number | null;
    numberOfPlaces: number | null;
  }): MarketState {
    const key = `${r.eventId}\u0000${r.marketId}`;
    let m = this.markets.get(key);
    if (m === undefined) {
      m = {
        eventId: r.eventId,
        marketId: r.marketId,
        marketType: r.marketType,
        startTime: r.startTime,
        numberOfPlaces: r.numberOfPlaces,
        books: new Map(),
        consensus: new Map(),
        selections: new Set(),
      };
      this.markets.set(key, m);
    }
    m.startTime = r.startTime ?? m.startTime;
    return m;
  }

  /** A book's pricing replaces its quotes; a back pricing also carries the market's consensus. */
  applyPricing(p: MarketPricing): MarketView {
    this.now = Math.max(this.now, p.eventTime);
    const m = this.market(p);
    const side = p.side === 'lay' ? 'lay' : 'back';
    const previous = m.books.get(bookKey(p.bookmaker, side));
    if (previous === undefined || previous.eventTime <= p.eventTime) {
      m.books.set(bookKey(p.bookmaker, side), {
        provider: p.provider,
        bookmaker: p.bookmaker,
        side,
        eventTime: p.eventTime,
        inPlay: p.inPlay,
        open: previous?.open ?? true,
        odds: new Map(p.selections.map((s) => [s.selectionId, s.decimalOdds])),
      });
    }
    for (const s of p.selections) m.selections.add(s.selectionId);
    if (side === 'back')
      for (const b of p.crossBook.selections) m.consensus.set(b.selectionId, b.consensusFairProbability);
    return this.view(m);
  }

  /** A market book's status: a suspended or closed book withdraws that bookmaker's quotes on that side. */
  applyBook(b: MarketBook): void {
    this.now = Math.max(this.now, b.eventTime);
    const m = this.market(b);
    const side = b.side === 'lay' ? 'lay' : 'back';
    const book = m.books.get(bookKey(b.bookmaker, side));
    const open = b.status === 'OPEN';
    if (book !== undefined && book.eventTime <= b.eventTime) book.open = open;
    else if (book === undefined && !open)
      m.books.set(bookKey(b.bookmaker, side), {
        provider: b.provider,
        bookmaker: b.bookmaker,
        side,
        eventTime: b.eventTime,
        inPlay: b.inPlay,
        open,
        odds: new Map(),
      });
  }

  /** Why a quote could not be taken now, or undefined when it can. */
  refusal(
    eventId: string,
    marketId: string,
    bookmaker: string,
    side: 'back' | 'lay',
    selectionId: string,
    at: number,
  ): { reason: string; quote?: Quote } | undefined {
    const m = this.markets.get(`${eventId}\u0000${marketId}`);
    const book = m?.books.get(bookKey(bookmaker, side));
    const odds = book?.odds.get(selectionId);
    if (book === undefined || odds === undefined) return { reason: 'no quote' };
    const quote = this.quoteOf(book, selectionId, odds);
    if (!book.open) return { reason: 'market suspended', quote };
    if (!this.fresh(book, at)) return { reason: 'stale quote', quote };
    return undefined;
  }

  quote(
    eventId: string,
    marketId: string,
    bookmaker: string,
    side: 'back' | 'lay',
    selectionId: string,
  ): Quote | undefined {
    const book = this.markets.get(`${eventId}\u0000${marketId}`)?.books.get(bookKey(bookmaker, side));
    const odds = book?.odds.get(selectionId);
    return book === undefined || odds === undefined ? undefined : this.quoteOf(book, selectionId, odds);
  }

  /** Forgets a settled market. */
  drop(eventId: string, marketId: string): void {
    this.markets.delete(`${eventId}\u0000${marketId}`);
  }

  private quoteOf(book: Book, selectionId: string, odds: number): Quote {
    return {
      bookmaker: book.bookmaker,
      provider: book.provider,
      side: book.side,
      selectionId,
      odds,
      eventTime: book.eventTime,
      inPlay: book.inPlay,
    };
  }

  private fresh(book: Book, at: number): boolean {
    const maxAge = book.inPlay ? this.freshness.inPlayMaxAgeMs : this.freshness.preMatchMaxAgeMs;
    return at - book.eventTime <= maxAge && book.eventTime <= at;
  }

  private view(m: MarketState): MarketView {
    const quotes = (selectionId: string, side: 'back' | 'lay'): Quote[] => {
      const out: Quote[] = [];
      for (const book of m.books.values()) {
        if (book.side !== side || !book.open || !this.fresh(book, this.now)) continue;
        const odds = book.odds.get(selectionId);
        if (odds !== undefined && odds > 1) out.push(this.quoteOf(book, selectionId, odds));
      }
      // Best first; ties by bookmaker name, so that the order never depends on arrival.
      return out.sort(
        (a, b) =>
          (side === 'back' ? b.odds - a.odds : a.odds - b.odds) ||
          (a.bookmaker < b.bookmaker ? -1 : a.bookmaker > b.bookmaker ? 1 : 0),
      );
    };
    return {
      eventId: m.eventId,
      marketId: m.marketId,
      marketType: m.marketType,
      startTime: m.startTime,
      numberOfPlaces: m.numberOfPlaces,
      selectionIds: () => [...m.selections].sort(),
      quotes,
      best: (selectionId, side) => quotes(selectionId, side)[0],
      consensus: (selectionId) => m.consensus.get(selectionId),
    };
  }
}
