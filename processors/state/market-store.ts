import { LruMap } from '../../src/core/lru-map.js';

/** Why a market left the store. */
export type DropReason = 'least-recent' | 'idle';

export interface MarketStoreOptions<M> {
  /** Markets held at once; the least recently used is dropped beyond it. */
  maxMarkets: number;
  /** The latest event time the market has seen: what idleness is measured by. */
  lastEventTime: (market: M) => number;
  /** Told of every market the store drops, for state kept about markets elsewhere. */
  onDropped?: (key: string, market: M, reason: DropReason) => void;
}

/**
 * A market's key: its event and market ids. Canonical ids never contain U+0000, so two
 * different pairs never share a key (a printable separator could: `a:b` + `c` and `a` + `b:c`).
 */
export const marketKey = (eventId: string, marketId: string): string => `${eventId}\u0000${marketId}`;

/**
 * The markets a stage holds state for, bounded two ways: at most `maxMarkets` (the least recently
 * used dropped first), and markets idle in event time dropped by `sweepIdle`. The cross-book and
 * the features state each keep one; the enrich stage sweeps both from its one event-time clock.
 */
export class MarketStore<M> {
  readonly #markets: LruMap<string, M>;
  readonly #options: MarketStoreOptions<M>;

  constructor(options: MarketStoreOptions<M>) {
    this.#markets = new LruMap(options.maxMarkets);
    this.#options = options;
  }

  get size(): number {
    return this.#markets.size;
  }

  /**
   * The market of `key`, made by `create` when the store has none; either way it becomes the most
   * recently used, and the least recently used goes if the store is over its bound.
   */
  use(key: string, create: () => M): M {
    const market = this.#markets.peek(key) ?? create();
    const dropped = this.#markets.set(key, market);
    if (dropped !== undefined) this.#options.onDropped?.(dropped[0], dropped[1], 'least-recent');
    return market;
  }

  /** Drops the markets whose latest event time is before `eventTime` (ms); returns how many. */
  sweepIdle(eventTime: number): number {
    let dropped = 0;
    for (const [key, market] of this.#markets) {
      if (this.#options.lastEventTime(market) >= eventTime) continue;
      this.#markets.delete(key);
      this.#options.onDropped?.(key, market, 'idle');
      dropped++;
    }
    return dropped;
  }
}
