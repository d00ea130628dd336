import type { CrossBook, MarketPricing } from '../../core/generated/avro-types.js';
import { LruMap } from '../../core/lru-map.js';

/** The most profitable arbitrage of the market, back-back or back-versus-lay. */
function bestArbitrage(crossBook: CrossBook): BoardMarket['arbitrageProfit'] {
  const candidates: NonNullable<BoardMarket['arbitrageProfit']>[] = [
    ...(crossBook.backBack ? [{ profit: crossBook.backBack.profit, kind: 'back-back' as const }] : []),
    ...crossBook.backLay.map((b) => ({ profit: b.profit, kind: 'back-lay' as const })),
  ];
  return candidates.sort((a, b) => b.profit - a.profit)[0] ?? null;
}

export interface BoardMarket {
  key: string;
  eventId: string;
  marketId: string;
  updatedAt: number;
  /** Latest back book per bookmaker: its overround. */
  books: Map<string, { overround: number; provider: string }>;
  best: { selectionId: string; bestOdds: number; bestBookmaker: string }[];
  arbitrage: boolean;
  /** The best arbitrage's guaranteed return and kind, when there is one. */
  arbitrageProfit: { profit: number; kind: 'back-back' | 'back-lay' } | null;
  phase: string | null;
}

/** The providers quoting a market, when more than one does: an exchange and bookmakers joined. */
export function joinedProviders(market: BoardMarket): string[] | undefined {
  const providers = [...new Set([...market.books.values()].map((b) => b.provider))].sort();
  return providers.length > 1 ? providers : undefined;
}

/**
 * The latest pricing of the most recently updated markets, for the demo's live view: what a
 * trading bot subscribed to odds.pricing would see. Bounded: the oldest markets drop out.
 */
export class MarketBoard {
  private readonly markets: LruMap<string, BoardMarket>;

  constructor(capacity = 200) {
    this.markets = new LruMap(capacity);
  }

  update(pricing: MarketPricing): void {
    if (pricing.side !== 'back') return;
    const key = `${pricing.eventId}:${pricing.marketId}`;
    const market = this.markets.peek(key) ?? {
      key,
      eventId: pricing.eventId,
      marketId: pricing.marketId,
      updatedAt: 0,
      books: new Map(),
      best: [],
      arbitrage: false,
      arbitrageProfit: null,
      phase: null,
    };
    market.updatedAt = pricing.processedAt;
    market.books.set(pricing.bookmaker, { overround: pricing.overround, provider: pricing.provider });
    market.best = pricing.crossBook.selections.map(({ selectionId, bestOdds, bestBookmaker }) => ({
      selectionId,
      bestOdds,
      bestBookmaker,
    }));
    market.arbitrage = pricing.crossBook.arbitrage;
    market.arbitrageProfit = bestArbitrage(pricing.crossBook);
    market.phase = pricing.crossBook.phase;
    this.markets.set(key, market);
  }

  /**
   * `count` markets for the view, most recently updated first: those quoted by several providers
   * come first (at most `joined` of them, the point of comparing books), then the latest others.
   */
  showcase(count: number, joined = 2): BoardMarket[] {
    const recent = [...this.markets.values()].reverse();
    const first = recent.filter((m) => joinedProviders(m) !== undefined).slice(0, joined);
    return [...first, ...recent.filter((m) => !first.includes(m))].slice(0, count);
  }

  /** Markets quoted by more than one provider. */
  get joinedCount(): number {
    return [...this.markets.values()].filter((m) => joinedProviders(m) !== undefined).length;
  }

  get size(): number {
    return this.markets.size;
  }
}
