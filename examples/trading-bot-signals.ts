import type { MarketPricing } from '../src/generated/avro-types.js';

export type Signal =
  | {
      kind: 'best-price';
      market: string;
      selectionId: string;
      from: number | null;
      to: number;
      bookmaker: string;
    }
  | { kind: 'arbitrage'; market: string; bestBookSum: number; margin: number };

/**
 * What a bot reacts to, from one pricing record: a best back price that moved since the last
 * record of the market, and an arbitrage that opened. Keeps the last best prices it saw.
 */
export class SignalDetector {
  private readonly best = new Map<string, number>();
  private readonly arbitraged = new Set<string>();

  update(pricing: MarketPricing): Signal[] {
    if (pricing.side !== 'back') return [];
    const market = `${pricing.eventId}:${pricing.marketId}`;
    const signals: Signal[] = [];
    for (const s of pricing.crossBook.selections) {
      const key = `${market}:${s.selectionId}`;
      const previous = this.best.get(key) ?? null;
      if (previous !== s.bestOdds) {
        this.best.set(key, s.bestOdds);
        signals.push({
          kind: 'best-price',
          market,
          selectionId: s.selectionId,
          from: previous,
          to: s.bestOdds,
          bookmaker: s.bestBookmaker,
        });
      }
    }
    if (pricing.crossBook.arbitrage && !this.arbitraged.has(market)) {
      this.arbitraged.add(market);
      signals.push({
        kind: 'arbitrage',
        market,
        bestBookSum: pricing.crossBook.bestBookSum,
        margin: 1 - pricing.crossBook.bestBookSum,
      });
    } else if (!pricing.crossBook.arbitrage) {
      this.arbitraged.delete(market);
    }
    return signals;
  }
}
