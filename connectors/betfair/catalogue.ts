import { setTimeout as sleep } from 'node:timers/promises';
import { LruMap } from '../../src/core/lru-map.js';
import { describeError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import type { Breaker, BreakerFactory } from '../../src/core/resilience/breaker.js';
import type { BettingApi, CatalogueAnswer, MarketCatalogue } from './betting-api.js';
import { PROVIDER } from './protocol.js';
import type { SessionSource } from './session-keeper.js';
import { SessionRejectedError } from './status-errors.js';

export interface CatalogueOptions {
  /** Markets whose catalogue is kept (least recently used dropped first). */
  maxMarkets: number;
  /** Markets per listMarketCatalogue call (Betfair weighs MARKET_DESCRIPTION 1 per market, at most 200). */
  batchSize: number;
  /** How long the records of a market not seen before wait for its names. */
  waitMs: number;
  /** A market the catalogue did not list, or whose call failed, is asked for again after this. */
  retryMs: number;
  /** Least time between two calls (Betfair's Betting API counts requests). */
  minIntervalMs: number;
}

export interface CatalogueDeps {
  api: BettingApi;
  session: SessionSource;
  breakers: BreakerFactory;
  logger: Logger;
  metrics: Metrics;
  now: () => number;
}

/**
 * Names of the markets seen on the stream, from listMarketCatalogue: the live stream's market
 * definitions carry no event name, market name or runner names, and without them the pipeline
 * cannot tell that an exchange book and a bookmaker book are the same race. Bounded, fetched in
 * batches through a circuit breaker, spaced by `minIntervalMs`; a session refused mid-way is
 * renewed once and the call repeated.
 */
export class MarketCatalogueCache {
  private readonly known: LruMap<string, MarketCatalogue>;
  /** Market → when it was last asked for without an answer (not listed, or the call failed). */
  private readonly unanswered: LruMap<string, number>;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly breaker: Breaker<[readonly string[]], CatalogueAnswer>;
  private nextCallAt = 0;

  constructor(
    private readonly options: CatalogueOptions,
    private readonly deps: CatalogueDeps,
  ) {
    this.known = new LruMap(options.maxMarkets);
    this.unanswered = new LruMap(options.maxMarkets);
    this.breaker = deps.breakers.create(`${PROVIDER}:betting-api`, (ids: readonly string[]) =>
      this.call(ids),
    );
  }

  get size(): number {
    return this.known.size;
  }

  /** Without touching its recency: for saving state. */
  peek(marketId: string): MarketCatalogue | undefined {
    return this.known.peek(marketId);
  }

  /** Puts back entries saved with the stream state. */
  restore(entries: readonly MarketCatalogue[]): void {
    for (const entry of entries) this.remember(entry);
  }

  get(marketId: string): MarketCatalogue | undefined {
    return this.known.get(marketId);
  }

  /**
   * Fetches what is missing of these markets; resolves once all are answered, `waitMs` has
   * passed (the fetch goes on, and later records of the market get the names) or `signal`
   * aborts. Never rejects.
   */
  async ensure(marketIds: Iterable<string>, signal?: AbortSignal): Promise<void> {
    const now = this.deps.now();
    const waiting: Promise<void>[] = [];
    const missing: string[] = [];
    for (const id of new Set(marketIds)) {
      if (this.known.has(id)) continue;
      const pending = this.inFlight.get(id);
      if (pending !== undefined) waiting.push(pending);
      else if (now - (this.unanswered.peek(id) ?? -Infinity) >= this.options.retryMs) missing.push(id);
    }
    for (let at = 0; at < missing.length; at += this.options.batchSize) {
      const batch = missing.slice(at, at + this.options.batchSize);
      const fetching = this.fetch(batch, signal);
      for (const id of batch) this.inFlight.set(id, fetching);
      waiting.push(fetching);
    }
    if (waiting.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    // Ends early when the connector stops: a stop must not wait for names nobody will publish.
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.waitMs);
      onAbort = resolve;
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    await Promise.race([Promise.all(waiting), late]);
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }

  shutdown(): void {
    this.breaker.shutdown();
  }

  private async fetch(batch: readonly string[], signal: AbortSignal | undefined): Promise<void> {
    try {
      const answer = await this.breaker.fire(batch);
      for (const market of answer.markets) this.remember(market);
      for (const rejected of answer.rejected) {
        this.deps.metrics.connectorMessages.inc({ provider: PROVIDER, outcome: 'malformed' });
        this.deps.logger.warn(
          rejected,
          `listMarketCatalogue entry not understood, ignored: ${rejected.message}`,
        );
      }
      const now = this.deps.now();
      for (const id of batch) if (!this.known.has(id)) this.unanswered.set(id, now);
    } catch (err) {
      const now = this.deps.now();
      for (const id of batch) this.unanswered.set(id, now);
      if (!signal?.aborted) {
        this.deps.logger.warn(
          { err, markets: batch.length, retryMs: this.options.retryMs },
          `market catalogue not fetched; their records go without names for now: ${describeError(err)}`,
        );
      }
    } finally {
      for (const id of batch) this.inFlight.delete(id);
    }
  }

  /** One call, renewing the session once if Betfair refuses it. */
  private async call(ids: readonly string[]): Promise<CatalogueAnswer> {
    await this.spacing();
    const token = await this.deps.session.token();
    try {
      return await this.deps.api.listMarketCatalogue(token, ids);
    } catch (err) {
      if (!(err instanceof SessionRejectedError)) throw err;
      const renewed = await this.deps.session.renew(token);
      await this.spacing();
      return this.deps.api.listMarketCatalogue(renewed, ids);
    }
  }

  private async spacing(): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.nextCallAt);
    this.nextCallAt = at + this.options.minIntervalMs;
    if (at > now) await sleep(at - now);
  }

  private remember(market: MarketCatalogue): void {
    this.known.set(market.marketId, market);
    this.unanswered.delete(market.marketId);
  }
}
