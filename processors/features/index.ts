import type { MarketOpening, MarketPricing, SelectionFeatures } from '../../src/core/generated/avro-types.js';
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
  /** Records of events already finished (evictEvent). */
  finished: number;
  /**
   * Records of a market dropped as idle (or least recent) that are no newer than the last record
   * it had: a replay of old history (a backfill run again, a requeue) must not start it afresh.
   */
  late: number;
  evictedLeastRecent: number;
  evictedIdle: number;
  evictedFinished: number;
}

/**
 * The features stage: MarketPricing in, SelectionFeatures out, in event time only (the records'
 * eventTime, never the wall clock), so a replay of a topic yields the same features as the live run.
 * State is bounded three ways: at most `maxMarkets` markets (least recently updated dropped first),
 * markets idle for `idleMs` of event time dropped, and finished events dropped on `evictEvent`.
 */
export interface FeaturesStage {
  process(record: MarketPricing): SelectionFeatures[];
  /** Drops every market of a finished event; its later records are ignored. Returns markets dropped. */
  evictEvent(eventId: string): number;
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
  // A Map iterates in insertion order; deleting and re-inserting on every update makes its first
  // key the least recently updated market.
  const markets = new Map<string, MarketState>();
  const marketsOfEvent = new Map<string, Set<string>>();
  const finished = new Set<string>();
  const stats: FeaturesStats = {
    ignoredSide: 0,
    invalid: 0,
    stale: 0,
    finished: 0,
    late: 0,
    evictedLeastRecent: 0,
    evictedIdle: 0,
    evictedFinished: 0,
  };
  let clock = -Infinity;
  let lastSweep = -Infinity;

  // Markets dropped for idleness or room, with the last event time they had (bounded like `markets`).
  const dropped = new Map<string, number>();

  const drop = (key: string, market: MarketState) => {
    markets.delete(key);
    dropped.delete(key);
    dropped.set(key, market.watermark);
    if (dropped.size > config.maxMarkets) {
      const oldest = dropped.keys().next();
      if (oldest.done !== true) dropped.delete(oldest.value);
    }
    const keys = marketsOfEvent.get(market.eventId);
    keys?.delete(key);
    if (keys?.size === 0) marketsOfEvent.delete(market.eventId);
  };

  const sweepIdle = () => {
    lastSweep = clock;
    for (const [key, market] of markets) {
      if (market.watermark < clock - config.idleMs) {
        drop(key, market);
        stats.evictedIdle += 1;
      }
    }
  };

  const changed = new Set<MarketState>();

  const marketFor = (record: { eventId: string; marketId: string }): MarketState => {
    const key = `${record.eventId}:${record.marketId}`;
    let market = markets.get(key);
    if (market !== undefined) {
      markets.delete(key);
    } else {
      market = newMarketState(record.eventId, record.marketId);
      const keys = marketsOfEvent.get(record.eventId) ?? new Set<string>();
      keys.add(key);
      marketsOfEvent.set(record.eventId, keys);
    }
    markets.set(key, market);
    for (const [oldestKey, oldest] of markets) {
      if (markets.size <= config.maxMarkets) break;
      drop(oldestKey, oldest);
      stats.evictedLeastRecent += 1;
    }
    return market;
  };

  return {
    process(record) {
      if (record.side !== 'back') {
        stats.ignoredSide += 1;
        return [];
      }
      if (finished.has(record.eventId)) {
        stats.finished += 1;
        return [];
      }
      const gone = dropped.get(`${record.eventId}:${record.marketId}`);
      if (gone !== undefined) {
        if (record.eventTime <= gone) {
          stats.late += 1;
          return [];
        }
        dropped.delete(`${record.eventId}:${record.marketId}`);
      }
      const market = marketFor(record);
      const outcome = updateMarket(market, record, config.resolutionMs);
      if (market.openingsChanged) changed.add(market);
      if (outcome.kind !== 'features') {
        stats[outcome.kind] += 1;
        return [];
      }
      // The stage's clock is the latest event time seen on any market; idle markets are measured
      // against it, so a quiet topic evicts nothing until records flow again.
      clock = Math.max(clock, record.eventTime);
      if (clock - lastSweep >= config.sweepEveryMs) sweepIdle();
      return outcome.features;
    },

    evictEvent(eventId) {
      finished.add(eventId);
      if (finished.size > config.maxFinishedEvents) {
        const oldest = finished.values().next();
        if (oldest.done !== true) finished.delete(oldest.value);
      }
      const keys = [...(marketsOfEvent.get(eventId) ?? [])];
      for (const key of keys) {
        const market = markets.get(key);
        if (market !== undefined) drop(key, market);
      }
      stats.evictedFinished += keys.length;
      return keys.length;
    },

    takeOpenings() {
      const openings = [...changed].map((market) => {
        market.openingsChanged = false;
        return openingsOf(market);
      });
      changed.clear();
      return openings;
    },

    restoreOpenings(opening) {
      if (finished.has(opening.eventId)) return;
      restoreOpenings(marketFor(opening), opening);
    },

    get size() {
      return markets.size;
    },
    stats,
  };
}
