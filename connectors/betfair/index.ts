import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { describeError, isRetriable, OddsflowError } from '../../src/errors.js';
import { componentLogger } from '../../src/logger.js';
import type { RawMarketBook, RawResult } from '../../src/generated/avro-types.js';
import { createHandOver } from '../runtime/hand-over.js';
import type { Connector, ConnectorDeps, ConnectorModule } from '../contract.js';
import { PROVIDER } from './protocol.js';
import { priceFields, type SubscriptionSettings } from './requests.js';
import { StreamStateStore, subscriptionFingerprint } from './state-store.js';
import { BetfairStreamClient, type StreamClientState, type StreamSink } from './stream-client.js';
import { BetfairStreamProcessor } from './stream-processor.js';

const ids = z.array(z.string().min(1)).min(1);

export const betfairConfigSchema = z
  .strictObject({
    host: z.string().min(1).default('stream-api.betfair.com'),
    port: z.int().min(1).max(65_535).default(443),
    /** Betfair refuses anything but TLS; `false` is for a local simulator. */
    tls: z.boolean().default(true),
    /** PEM file of an extra CA to trust (a simulator's self-signed certificate). */
    caFile: z.string().min(1).optional(),
    rejectUnauthorized: z.boolean().default(true),
    appKey: z.string().min(1),
    /** From the Betfair login (SSO); it expires, and an expired one stops the stream for good. */
    sessionToken: z.string().min(1),
    marketFilter: z
      .strictObject({
        /** 7 horse racing, 4339 greyhound racing. */
        eventTypeIds: ids.default(['7', '4339']),
        marketTypes: ids.default(['WIN', 'PLACE']),
        countryCodes: z.array(z.string().length(2)).min(1).optional(),
        venues: ids.optional(),
        marketIds: ids.optional(),
        eventIds: ids.optional(),
        bspMarket: z.boolean().optional(),
        turnInPlayEnabled: z.boolean().optional(),
      })
      .prefault({}),
    /** Price data asked for besides EX_MARKET_DEF, which is always included. */
    priceFields: z.array(z.enum(priceFields)).min(1).default(['EX_BEST_OFFERS', 'EX_LTP', 'EX_TRADED_VOL']),
    ladderLevels: z.int().min(1).max(10).default(3),
    // Bounds from the swagger schema: conflation 0-120000 ms, heartbeat 500-30000 ms.
    conflateMs: z.int().min(0).max(120_000).default(0),
    heartbeatMs: z.int().min(500).max(30_000).default(5_000),
    segmentationEnabled: z.boolean().default(true),
    /** Silence (heartbeats included) after which the connection is dropped; default 3 × heartbeatMs. */
    deadPeerTimeoutMs: z.int().positive().optional(),
    connectTimeoutMs: z.int().positive().default(15_000),
    /** Publish time a CLOSED market stays cached (late settlement updates still merge). */
    closedMarketEvictionMs: z.int().min(0).default(3_600_000),
    maxLineBytes: z
      .int()
      .positive()
      .default(32 * 1024 * 1024),
    maxQueuedFrames: z.int().positive().default(1_000),
    /** Least time between two writes of the resume state (clocks and cache) to `stateDir`. */
    stateFlushMs: z.int().min(0).default(5_000),
    backoff: z
      .strictObject({
        initialMs: z.int().positive().default(500),
        maxMs: z.int().positive().default(30_000),
        factor: z.number().min(1).default(2),
      })
      .prefault({}),
  })
  .refine((c) => c.deadPeerTimeoutMs === undefined || c.deadPeerTimeoutMs > c.heartbeatMs, {
    path: ['deadPeerTimeoutMs'],
    message: 'must be longer than heartbeatMs, or a healthy but quiet stream is dropped',
  })
  .refine((c) => c.backoff.maxMs >= c.backoff.initialMs, {
    path: ['backoff', 'maxMs'],
    message: 'must be at least backoff.initialMs',
  });

export type BetfairConfig = z.output<typeof betfairConfigSchema>;
export type BetfairConfigInput = z.input<typeof betfairConfigSchema>;

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
  const snapshot = (): Snapshot => ({
    clocks: processor.clocks(),
    publishTime,
    markets: processor.cache.toImage(),
  });

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

  const sink: StreamSink = {
    async onChange(outcome) {
      const heartbeat = outcome.changeType === 'HEARTBEAT';
      metrics.connectorMessages.inc({ provider: PROVIDER, outcome: heartbeat ? 'heartbeat' : 'ok' });
      if (outcome.buffered || lost) return;
      pending.frames++;
      pending.books.push(...outcome.books);
      pending.results.push(...outcome.results);
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
    log.info({ markets: markets.length, resumable: clocks.clk !== undefined }, 'stream state restored');
  };

  return {
    name: PROVIDER,
    async start() {
      await restore();
      const ca = config.caFile === undefined ? undefined : await readFile(config.caFile, 'utf8');
      client = new BetfairStreamClient(
        {
          host: config.host,
          port: config.port,
          tls: config.tls,
          ca,
          rejectUnauthorized: config.rejectUnauthorized,
          appKey: config.appKey,
          sessionToken: config.sessionToken,
          subscription,
          connectTimeoutMs: config.connectTimeoutMs,
          deadPeerTimeoutMs: config.deadPeerTimeoutMs ?? config.heartbeatMs * 3,
          maxLineBytes: config.maxLineBytes,
          maxQueuedFrames: config.maxQueuedFrames,
          backoff: config.backoff,
        },
        { logger: log, metrics, breakers: deps.breakers, now: () => deps.clock.now() },
        processor,
        sink,
      );
      await client.start();
    },
    async stop() {
      stopping.abort();
      await client?.stop();
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
