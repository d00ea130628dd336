import type { MarketFeatures, MarketOpening, MarketPricing } from '../../src/core/generated/avro-types.js';
import { LruMap } from '../../src/core/lru-map.js';
import { MarketStore, marketKey } from '../state/market-store.js';
import type { FeaturesConfig } from './config.js';
import {
  newMarketState,
  openingsOf,
  restoreOpenings,
  updateMarket,
  type MarketState,
} from './market-state.js';

export { featuresConfigSchema, type FeaturesConfig } from './config.js';

export interface FeaturesStats {
  /** Lay books: the features describe best *back* odds. */
  ignoredSide: number;
  invalid: number;
  /** Older than the last record applied for the same book. */
  stale: number;
  /**
   * Records of a market dropped as idle (or least recent) that are no newer than the last record
   * it had: a replay of old history (a backfill run again, a requeue) must not start it afresh.
   */
  late: number;
  evictedLeastRecent: number;
  evictedIdle: number;
}

/**
 * The features stage: MarketPricing in, the market's features (one MarketFeatures with every
 * selection) out, in event time only (the records' eventTime, never the wall clock), so a replay
 * of a topic yields the same features as the live run.
 * State is bounded two ways: at most `maxMarkets` markets (least recently updated dropped first),
 * and markets idle in event time dropped by `evictNotUpdatedSince`, which the enrich stage calls
 * from the clock it sweeps the cross-book state with.
 */
export interface FeaturesStage {
  /** The market's features after `record`, or undefined when it yields none (see stats). */
  process(record: MarketPricing): MarketFeatures | undefined;
  /**
   * Drops markets with no record applied since `eventTime` (ms); their replayed records stay
   * dropped (stats.late). Returns how many markets were dropped.
   */
  evictNotUpdatedSince(eventTime: number): number;
  /**
   * The opening odds of every market where a selection opened since the last call: what the
   * enrich stage writes to features.opening, so that openingOdds survives a restart.
   */
  takeOpenings(): MarketOpening[];
  /** Puts back opening odds written before a restart or rebalance (features.opening). */
  restoreOpenings(opening: MarketOpening): void;
  /** Markets held. */
  readonly size: number;
  readonly stats: Readonly<FeaturesStats>;
}

export function createFeaturesStage(config: FeaturesConfig): FeaturesStage {
  const stats: FeaturesStats = {
    ignoredSide: 0,
    invalid: 0,
    stale: 0,
    late: 0,
    evictedLeastRecent: 0,
    evictedIdle: 0,
  };
  // Markets dropped for idleness or room, with the last event time they had (bounded like `markets`).
  const dropped = new LruMap<string, number>(config.maxMarkets);
  const markets = new MarketStore<MarketState>({
    maxMarkets: config.maxMarkets,
    lastEventTime: (market) => market.watermark,
    onDropped: (key, market, reason) => {
      dropped.set(key, market.watermark);
      if (reason === 'idle') stats.evictedIdle += 1;
      else stats.evictedLeastRecent += 1;
    },
  });
  const marketFor = (key: string, ids: { eventId: string; marketId: string }): MarketState =>
    markets.use(key, () => newMarketState(ids.eventId, ids.marketId));

  const changed = new Set<MarketState>();

  return {
    process(record) {
      if (record.side !== 'back') {
        stats.ignoredSide += 1;
        return undefined;
      }
      const key = marketKey(record.eventId, record.marketId);
      const gone = dropped.peek(key);
      if (gone !== undefined) {
        if (record.eventTime <= gone) {
          stats.late += 1;
          return undefined;
        }
        dropped.delete(key);
      }
      const market = marketFor(key, record);
      const outcome = updateMarket(market, record, config.resolutionMs);
      if (market.openingsChanged) changed.add(market);
      if (outcome.kind === 'features') return outcome.features;
      if (outcome.kind !== 'empty') stats[outcome.kind] += 1;
      return undefined;
    },

    evictNotUpdatedSince: (eventTime) => markets.sweepIdle(eventTime),

    takeOpenings() {
      const openings = [...changed].map((market) => {
        market.openingsChanged = false;
        return openingsOf(market);
      });
      changed.clear();
      return openings;
    },

    restoreOpenings(opening) {
      restoreOpenings(marketFor(marketKey(opening.eventId, opening.marketId), opening), opening);
    },

    get size() {
      return markets.size;
    },
    stats,
  };
}
