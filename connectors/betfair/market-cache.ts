import { applyRunnerChange, emptyRunner, runnerKey, runnerToChange, type RunnerState } from './ladders.js';
import {
  changeTypeOf,
  finiteOrNull,
  segmentOf,
  type ChangeType,
  type MarketChange,
  type MarketChangeMessage,
  type MarketDefinition,
} from './protocol.js';
import type { StreamClocks } from './requests.js';

export interface MarketState {
  readonly id: string;
  /** The last definition received, whole; null until one arrives (EX_MARKET_DEF not sent yet). */
  definition: MarketDefinition | null;
  runners: Map<string, RunnerState>;
  tv: number | null;
  /** Whether the last change was conflated by the server (several changes in one). */
  conflated: boolean;
  publishTime: number;
  /** Publish time at which the market was first seen CLOSED. */
  closedAt: number | null;
}

export interface MarketUpdate {
  market: MarketState;
  /** The market changes that produced this update, as received (several for a segmented image). */
  changes: MarketChange[];
}

export interface CacheUpdate {
  publishTime: number;
  changeType: ChangeType | undefined;
  markets: MarketUpdate[];
  /** Markets dropped from the cache before this update (closed long enough, or left the subscription). */
  evicted: string[];
}

export interface MarketCacheOptions {
  /** How long (in publish time) a CLOSED market stays in the cache before it is evicted. */
  closedMarketEvictionMs: number;
}

/**
 * Per-market state of a Betfair market stream, merged from images and deltas with the rules of
 * the Exchange Stream API as implemented by betfairlightweight (streaming/cache.py, stream.py).
 * Pure: no I/O, no timers; time is the messages' publish time.
 */
export class MarketCache {
  private readonly markets = new Map<string, MarketState>();
  private segment: MarketChangeMessage[] | undefined;
  private initialClk: string | undefined;
  private clk: string | undefined;

  constructor(private readonly options: MarketCacheOptions) {}

  get size(): number {
    return this.markets.size;
  }

  get(marketId: string): MarketState | undefined {
    return this.markets.get(marketId);
  }

  values(): IterableIterator<MarketState> {
    return this.markets.values();
  }

  /** The clocks of the last change applied: what a resubscription resumes from. */
  clocks(): StreamClocks {
    return { initialClk: this.initialClk, clk: this.clk };
  }

  /** After INVALID_CLOCK: the next subscription must ask for a full image. */
  resetClocks(): void {
    this.initialClk = undefined;
    this.clk = undefined;
  }

  /** A connection lost mid-segment: what was buffered will be sent again after resubscribing. */
  discardSegment(): void {
    this.segment = undefined;
  }

  /**
   * Applies one message. Segments are buffered from SEG_START and applied together at SEG_END,
   * so no half-applied image is ever seen; `undefined` means "buffered, nothing applied yet".
   */
  apply(message: MarketChangeMessage): CacheUpdate | undefined {
    const segment = segmentOf(message);
    if (segment === 'SEG_START' || segment === 'SEG') {
      if (segment === 'SEG_START' || this.segment === undefined) this.segment = [];
      this.segment.push(message);
      return undefined;
    }
    const messages =
      segment === 'SEG_END' && this.segment !== undefined ? [...this.segment, message] : [message];
    this.segment = undefined;

    const named = new Set(messages.flatMap((part) => (part.mc ?? []).map((change) => change.id)));
    const evicted = this.evictClosed(message.pt, named);
    const touched = new Map<string, MarketUpdate>();
    let changeType: ChangeType | undefined;
    for (const part of messages) {
      changeType ??= changeTypeOf(part);
      for (const change of part.mc ?? []) {
        const market = this.applyMarketChange(change, message.pt);
        const update = touched.get(market.id);
        if (update === undefined) touched.set(market.id, { market, changes: [change] });
        else update.changes.push(change);
      }
      // Clocks only move once the whole segment is applied: resuming from a clock inside a
      // segment would skip the segments that were never applied.
      if (part.initialClk) this.initialClk = part.initialClk;
      if (part.clk) this.clk = part.clk;
    }
    if (changeType === 'SUB_IMAGE') {
      // A subscription image is the whole subscription: markets it does not name have left it.
      for (const id of [...this.markets.keys()]) {
        if (!touched.has(id)) {
          this.markets.delete(id);
          evicted.push(id);
        }
      }
    }
    return { publishTime: message.pt, changeType, markets: [...touched.values()], evicted };
  }

  /** The whole cache as image market changes, to persist it and `restore` it on restart. */
  toImage(): MarketChange[] {
    return [...this.markets.values()].map((market) => ({
      id: market.id,
      img: true,
      ...(market.definition !== null ? { marketDefinition: market.definition } : {}),
      ...(market.tv !== null ? { tv: market.tv } : {}),
      rc: [...market.runners.values()].map(runnerToChange),
    }));
  }

  restore(image: readonly MarketChange[], clocks: StreamClocks, publishTime: number): void {
    this.markets.clear();
    this.segment = undefined;
    for (const change of image) this.applyMarketChange(change, publishTime);
    this.initialClk = clocks.initialClk;
    this.clk = clocks.clk;
  }

  private applyMarketChange(change: MarketChange, publishTime: number): MarketState {
    let market = this.markets.get(change.id);
    if (market === undefined || change.img === true) {
      // Historic files start without `img`, so an unknown market is an image too
      // (betfairlightweight stream.py). An image without a definition keeps the one we had.
      market = {
        id: change.id,
        definition: market?.definition ?? null,
        runners: new Map(),
        tv: null,
        conflated: false,
        publishTime,
        closedAt: market?.closedAt ?? null,
      };
      this.markets.set(change.id, market);
      addDefinedRunners(market);
    }
    market.publishTime = publishTime;
    market.conflated = change.con === true;
    if (change.marketDefinition) this.applyDefinition(market, change.marketDefinition, publishTime);
    if (change.tv !== undefined && change.tv !== null) market.tv = finiteOrNull(change.tv);
    for (const runnerChange of change.rc ?? []) {
      const key = runnerKey(runnerChange.id, runnerChange.hc);
      let runner = market.runners.get(key);
      if (runner === undefined) {
        runner = emptyRunner(runnerChange.id, runnerChange.hc);
        market.runners.set(key, runner);
      }
      applyRunnerChange(runner, runnerChange);
    }
    return market;
  }

  private applyDefinition(market: MarketState, definition: MarketDefinition, publishTime: number): void {
    // Betfair always sends the definition whole, so it replaces the old one rather than merging.
    market.definition = definition;
    if (definition.status === 'CLOSED') market.closedAt ??= publishTime;
    else market.closedAt = null;
    addDefinedRunners(market);
  }

  /** Markets this very update names are kept: evicting them would re-create them without history. */
  private evictClosed(publishTime: number, keep: ReadonlySet<string>): string[] {
    const evicted: string[] = [];
    for (const market of this.markets.values()) {
      if (keep.has(market.id) || market.closedAt === null) continue;
      if (publishTime - market.closedAt >= this.options.closedMarketEvictionMs) {
        evicted.push(market.id);
      }
    }
    for (const id of evicted) this.markets.delete(id);
    return evicted;
  }
}

/** Every runner of the definition has a state, so that runners without prices (REMOVED) show. */
function addDefinedRunners(market: MarketState): void {
  for (const runner of market.definition?.runners ?? []) {
    const key = runnerKey(runner.id, runner.hc);
    if (!market.runners.has(key)) market.runners.set(key, emptyRunner(runner.id, runner.hc));
  }
}
