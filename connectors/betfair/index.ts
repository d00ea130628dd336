import { readFile } from 'node:fs/promises';
import { ConfigError, describeError, isRetriable, OddsflowError } from '../../src/core/errors.js';
import { componentLogger } from '../../src/core/logger.js';
import type { RawMarketBook, RawResult } from '../../src/core/generated/avro-types.js';
import { createHandOver } from '../runtime/hand-over.js';
import type { Connector, ConnectorDeps, ConnectorModule } from '../contract.js';
import { createBettingApi } from './betting-api.js';
import { MarketCatalogueCache } from './catalogue.js';
import { bookWithCatalogue, resultWithCatalogue } from './catalogue-names.js';
import { betfairConfigSchema, type BetfairConfig } from './config.js';
import type { HttpsSettings } from './https-post.js';
import { createIdentityClient } from './identity.js';
import { PROVIDER } from './protocol.js';
import type { SubscriptionSettings } from './requests.js';
import { SessionKeeper, type Login } from './session-keeper.js';
import { StreamStateStore, subscriptionFingerprint } from './state-store.js';
import { SessionNotRenewedError } from './status-errors.js';
import { BetfairStreamClient, type StreamClientState, type StreamSink } from './stream-client.js';
import { BetfairStreamProcessor } from './stream-processor.js';

export { betfairConfigSchema, type BetfairConfig, type BetfairConfigInput } from './config.js';

/** A PEM file the config names, or a config error that says which setting and why. */
async function readPem(file: string, setting: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([
      `ODDSFLOW_CONNECTOR_BETFAIR.${setting}: cannot read ${file}: ${(err as Error).message}`,
    ]);
  }
}

async function loginOf(config: BetfairConfig, tls: HttpsSettings): Promise<Login | undefined> {
  const { login } = config;
  if (login === undefined) return undefined;
  const { username, password } = login;
  if (login.method === 'interactive') return { method: 'interactive', username, password };
  const [cert, key] = await Promise.all([
    readPem(login.certFile, 'login.certFile'),
    readPem(login.keyFile, 'login.keyFile'),
  ]);
  return { method: 'certificate', username, password, tls: { ...tls, cert, key } };
}

export interface BetfairConnector extends Connector {
  status(): { state: StreamClientState; failure: Error | undefined };
}

export function createBetfairConnector(config: BetfairConfig, deps: ConnectorDeps): BetfairConnector {
  const log = componentLogger(deps.logger, 'connector', PROVIDER);
  const { metrics, publisher } = deps;
  const subscription: SubscriptionSettings = {
    marketFilter: config.marketFilter,
    fields: config.priceFields,
    ladderLevels: config.ladderLevels,
    conflateMs: config.conflateMs,
    heartbeatMs: config.heartbeatMs,
    segmentationEnabled: config.segmentationEnabled,
  };
  const processor = new BetfairStreamProcessor({ closedMarketEvictionMs: config.closedMarketEvictionMs });
  let keeper: SessionKeeper | undefined;
  let catalogue: MarketCatalogueCache | undefined;
  const countAnswer = (status: string) => metrics.providerRequests.inc({ provider: PROVIDER, status });

  // /readyz: not ready while the stream has stopped for good or cannot renew its session, or
  // while the session is lost for good; a reconnect after a network fault is not a halt.
  const down = { stream: undefined as string | undefined, session: undefined as string | undefined };
  const report = () => {
    const reason = down.stream ?? down.session;
    if (reason === undefined) deps.status.running();
    else deps.status.halted(reason);
  };
  const store = new StreamStateStore(deps.stateDir, subscriptionFingerprint(subscription));
  const stopping = new AbortController();
  let client: BetfairStreamClient | undefined;
  // The saved state must never be ahead of what was published: it is the cache as it stood when
  // everything applied so far was handed over.
  let lost = false;
  let unsaved = false;
  let savedAt = 0;
  let publishTime = 0;
  type Snapshot = Parameters<StreamStateStore['save']>[0];
  const snapshot = (): Snapshot => {
    const markets = processor.cache.toImage();
    const names = markets.flatMap((m) => catalogue?.peek(m.id) ?? []);
    return { clocks: processor.clocks(), publishTime, markets, catalogue: names };
  };

  const save = async (state: Snapshot): Promise<void> => {
    savedAt = performance.now();
    unsaved = false;
    try {
      await store.save(state);
    } catch (err) {
      log.warn({ err }, `resume state not saved: ${describeError(err)}`);
    }
  };

  const { handOver, deadLetter } = createHandOver({
    log,
    backoff: config.backoff,
    signal: stopping.signal,
    publisher,
  });

  /** Publishes one kind of record; false when stopped before they were handed over. */
  const publish = async (kind: 'book' | 'result', records: readonly object[], fn: () => Promise<void>) => {
    if (records.length === 0) return true;
    const err = await handOver(`publishing ${kind}s`, fn);
    if (err === undefined) {
      metrics.connectorRecords.inc({ provider: PROVIDER, kind }, records.length);
      return true;
    }
    if (stopping.signal.aborted && isRetriable(err)) return false;
    // Refused for good (they do not encode): keep them for a replay rather than lose them.
    const code = err instanceof OddsflowError ? err.code : 'PUBLISH_REJECTED';
    const errors = [{ path: '$', code, message: describeError(err) }];
    await deadLetter({ provider: PROVIDER, reasonCode: code, errors, payload: JSON.stringify(records) });
    return true;
  };

  // Frames applied while a publish is in flight wait here and go out together in the next one: a
  // publish is a Kafka round trip (acks=all), and one per frame capped the connector at a few
  // hundred frames a second, below a busy Exchange Stream.
  const pending = { frames: 0, books: [] as RawMarketBook[], results: [] as RawResult[], publishTime: 0 };
  let flushing: Promise<void> | undefined;

  /**
   * Publishes until nothing waits. `flushing` is cleared in the same turn as the check that found
   * nothing, so a frame arriving a moment later starts a new flush instead of waiting for one.
   */
  const flush = async (): Promise<void> => {
    try {
      while (pending.frames > 0 && !lost) {
        const books = pending.books.splice(0);
        const results = pending.results.splice(0);
        const through = pending.publishTime;
        pending.frames = 0;
        // Taken now, the cache holds exactly the frames of this publish; later ones wait for the next.
        const due = performance.now() - savedAt >= config.stateFlushMs;
        const state = due ? { ...snapshot(), publishTime: through } : undefined;
        const handed =
          (await publish('book', books, () => publisher.publishBooks(books))) &&
          (await publish('result', results, () => publisher.publishResults(results)));
        if (!handed) {
          lost = true;
          return;
        }
        publishTime = through;
        unsaved = true;
        if (state !== undefined) await save(state);
      }
    } finally {
      flushing = undefined;
    }
  };

  /** Most records held back while a publish is in flight; past it, the stream waits (backpressure). */
  const maxPendingRecords = 5_000;

  /** The records' markets named from the catalogue, waiting (bounded) for markets new to it. */
  const named = async (books: RawMarketBook[], results: RawResult[]) => {
    if (catalogue === undefined || books.length + results.length === 0) return { books, results };
    const markets = [
      ...books.map((b) => b.sourceMarketId),
      ...results.flatMap((r) => r.sourceMarketId ?? []),
    ];
    await catalogue.ensure(markets, stopping.signal);
    const entry = (id: string | null) => (id === null ? undefined : catalogue?.get(id));
    return {
      books: books.map((b) => bookWithCatalogue(b, entry(b.sourceMarketId))),
      results: results.map((r) => resultWithCatalogue(r, entry(r.sourceMarketId))),
    };
  };

  const sink: StreamSink = {
    async onChange(outcome) {
      const heartbeat = outcome.changeType === 'HEARTBEAT';
      metrics.connectorMessages.inc({ provider: PROVIDER, outcome: heartbeat ? 'heartbeat' : 'ok' });
      if (outcome.buffered || lost) return;
      const { books, results } = await named(outcome.books, outcome.results);
      pending.frames++;
      pending.books.push(...books);
      pending.results.push(...results);
      pending.publishTime = outcome.publishTime;
      flushing ??= flush();
      if (pending.books.length + pending.results.length >= maxPendingRecords) await flushing;
    },
    async onMalformed(failure) {
      metrics.connectorMessages.inc({ provider: PROVIDER, outcome: 'malformed' });
      const { reasonCode, errors } = failure;
      log.warn({ reasonCode, errors: errors.slice(0, 10) }, `malformed frame dead-lettered: ${reasonCode}`);
      await deadLetter(failure);
    },
  };

  const restore = async (): Promise<void> => {
    const loaded = await store.load();
    if (loaded.kind === 'discarded') log.warn({ reason: loaded.reason }, 'saved stream state ignored');
    if (loaded.kind !== 'loaded') return;
    const { markets, clocks } = loaded.state;
    publishTime = loaded.state.publishTime;
    processor.restore(markets, clocks, publishTime);
    catalogue?.restore(loaded.state.catalogue);
    log.info({ markets: markets.length, resumable: clocks.clk !== undefined }, 'stream state restored');
  };

  return {
    name: PROVIDER,
    async start() {
      const ca = config.caFile === undefined ? undefined : await readPem(config.caFile, 'caFile');
      const tls: HttpsSettings = {
        ca,
        rejectUnauthorized: config.rejectUnauthorized,
        timeoutMs: config.httpTimeoutMs,
      };
      const identity = createIdentityClient(config, config.appKey, tls, countAnswer);
      keeper = new SessionKeeper(
        {
          initialToken: config.sessionToken,
          login: await loginOf(config, tls),
          keepAliveMs: config.keepAliveMs,
          retry: config.backoff,
        },
        identity,
        log,
        {
          onLost(error, retrying) {
            if (retrying) return;
            down.session = describeError(error);
            report();
          },
          onRestored() {
            down.session = undefined;
            report();
          },
        },
      );
      if (config.catalogue.enabled) {
        catalogue = new MarketCatalogueCache(config.catalogue, {
          api: createBettingApi(config.bettingUrl, config.appKey, tls, countAnswer),
          session: keeper,
          breakers: deps.breakers,
          logger: log,
          metrics,
          now: () => deps.clock.now(),
        });
      }
      await restore();
      client = new BetfairStreamClient(
        {
          host: config.host,
          port: config.port,
          tls: config.tls,
          ca,
          rejectUnauthorized: config.rejectUnauthorized,
          appKey: config.appKey,
          session: keeper,
          subscription,
          connectTimeoutMs: config.connectTimeoutMs,
          deadPeerTimeoutMs: config.deadPeerTimeoutMs ?? config.heartbeatMs * 3,
          maxLineBytes: config.maxLineBytes,
          maxQueuedFrames: config.maxQueuedFrames,
          maxQueuedBytes: config.maxQueuedBytes,
          backoff: config.backoff,
        },
        {
          logger: log,
          metrics,
          breakers: deps.breakers,
          now: () => deps.clock.now(),
          onSubscribed() {
            down.stream = undefined;
            report();
          },
          onDown(error, retrying) {
            if (retrying && !(error instanceof SessionNotRenewedError)) return;
            down.stream = describeError(error);
            report();
          },
        },
        processor,
        sink,
      );
      keeper.start();
      try {
        await client.start();
      } catch (err) {
        // Failed for good at start (bad credentials): nothing of it may keep running.
        keeper.stop();
        catalogue?.shutdown();
        throw err;
      }
    },
    async stop() {
      stopping.abort();
      keeper?.stop();
      await client?.stop();
      catalogue?.shutdown();
      await flushing;
      if (unsaved && !lost && pending.frames === 0) await save(snapshot());
    },
    status: () => client?.status ?? { state: 'idle', failure: undefined },
  };
}

export const betfairConnector: ConnectorModule<typeof betfairConfigSchema> = {
  name: PROVIDER,
  configSchema: betfairConfigSchema,
  create: createBetfairConnector,
};
