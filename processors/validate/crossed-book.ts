import { LruMap } from '../../src/core/lru-map.js';
import { issue, type Issue } from './issues.js';

export type Side = 'back' | 'lay';

export interface SidePrice {
  selectionId: string;
  /** Where the price sits in the record, for the issue's path. */
  path: string;
  decimalOdds: number | null;
}

interface MarketSides {
  prices: Map<string, { back?: number; lay?: number }>;
  /** eventTime of the latest book of each side. */
  times: { back?: number; lay?: number };
}

/**
 * Remembers the latest best back and lay price per selection of the most recently seen markets
 * (one bookmaker's market is one entry; at most `capacity` of them, least recently used forgotten).
 * On an exchange the best price to back is below the best price to lay; a back above the lay
 * is a crossed book, which a correct ladder never shows (it would have matched). Back and lay
 * arrive as separate books, so the check needs this memory.
 *
 * Only books of the same instant (equal eventTime) are compared: a stream emits only the side
 * that changed, so the other side's latest book may be older, and a back that moved past a lay
 * that has since moved too is not a crossed book. In the recorded Betfair markets every crossing
 * against an older book was of that kind (52 of 52 in 1.185781277).
 */
export class CrossedBookMemory {
  private readonly markets: LruMap<string, MarketSides>;

  constructor(capacity = 100_000) {
    this.markets = new LruMap(capacity);
  }

  get size(): number {
    return this.markets.size;
  }

  /** Forgets every market (a processor's reset after an aborted transaction or a rebalance). */
  clear(): void {
    this.markets.clear();
  }

  /** Crossed-book issues of a book against the other side's prices of the same instant; changes nothing. */
  check(marketKey: string, side: Side, prices: readonly SidePrice[], eventTime: number): Issue[] {
    const sides = this.markets.get(marketKey);
    const other: Side = side === 'back' ? 'lay' : 'back';
    if (sides === undefined || sides.times[other] !== eventTime) return [];
    const issues: Issue[] = [];
    for (const price of prices) {
      const opposite = sides.prices.get(price.selectionId)?.[other];
      if (price.decimalOdds === null || opposite === undefined) continue;
      const back = side === 'back' ? price.decimalOdds : opposite;
      const lay = side === 'lay' ? price.decimalOdds : opposite;
      if (back > lay) {
        issues.push(
          issue(
            price.path,
            'CROSSED_BOOK',
            `best back ${back} is above best lay ${lay} for ${price.selectionId} in ${marketKey}`,
          ),
        );
      }
    }
    return issues;
  }

  /** Makes the book this side's latest: all of this side's prices of the market are replaced. */
  record(marketKey: string, side: Side, prices: readonly SidePrice[], eventTime: number): void {
    let sides = this.markets.get(marketKey);
    if (sides === undefined) {
      sides = { prices: new Map(), times: {} };
      this.markets.set(marketKey, sides);
    }
    sides.times[side] = eventTime;
    for (const [selectionId, entry] of sides.prices) {
      delete entry[side];
      if (entry.back === undefined && entry.lay === undefined) sides.prices.delete(selectionId);
    }
    for (const price of prices) {
      if (price.decimalOdds === null) continue;
      const entry = sides.prices.get(price.selectionId) ?? {};
      entry[side] = price.decimalOdds;
      sides.prices.set(price.selectionId, entry);
    }
  }
}
