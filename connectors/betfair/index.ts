import { describeError } from '../../src/core/errors.js';
import { componentLogger } from '../../src/core/logger.js';
import { createHandOver } from '../runtime/hand-over.js';
import type { Connector, ConnectorDeps, ConnectorModule } from '../contract.js';
import { createBettingApi } from './betting-api.js';
import { MarketCatalogueCache } from './catalogue.js';
import { namedFromCatalogue } from './catalogue-names.js';
import { betfairConfigSchema, type BetfairConfig } from './config.js';
import { betfairDemoSimulator } from './demo-simulator.js';
import { HaltReasons } from './halt-reasons.js';
import type { HttpsSettings } from './https-post.js';
import { createIdentityClient } from './identity.js';
import { loginOf, readPem } from './login-config.js';
import { PROVIDER } from './protocol.js';
import { PublishBatcher } from './publish-batcher.js';
import { betfairBspFormat, betfairStreamFormat } from './recordings.js';
import type { SubscriptionSettings } from './requests.js';
import { ResumeState } from './resume-state.js';
import { SessionKeeper } from './session-keeper.js';
import { betfairSettings } from './settings.js';
import { StreamStateStore, subscriptionFingerprint } from './state-store.js';
import { SessionNotRenewedError } from './status-errors.js';
import { BetfairStreamClient, type StreamClientState, type StreamSink } from './stream-client.js';
import { BetfairStreamProcessor } from './stream-processor.js';

export { betfairConfigSchema, type BetfairConfig, type BetfairConfigInput } from './config.js';

export interface BetfairConnector extends Connector {
  status(): { state: StreamClientState; failure: Error | undefined };
}

/**
 * The Exchange Stream connector: the session (kept alive, renewed), the catalogue that names the
 * markets, the stream client, and between the stream and the publisher a batcher whose publishes
 * move the resume state on. This function only wires those parts together.
 */
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
  let client: BetfairStreamClient | undefined;
  const countAnswer = (status: string) => metrics.providerRequests.inc({ provider: PROVIDER, status });
  const halts = new HaltReasons(deps.status);
  const stopping = new AbortController();
  const resume = new ResumeState(
    new StreamStateStore(deps.stateDir, subscriptionFingerprint(subscription)),
    processor,
    () => catalogue,
    config.stateFlushMs,
    log,
  );
  const { deadLetter, publishOrDeadLetter } = createHandOver({
    provider: PROVIDER,
    log,
    metrics,
    backoff: config.backoff,
    signal: stopping.signal,
    publisher,
  });
  const batcher = new PublishBatcher(publisher, publishOrDeadLetter, resume);

  const sink: StreamSink = {
    async onChange(outcome) {
      const heartbeat = outcome.changeType === 'HEARTBEAT';
      metrics.connectorMessages.inc({ provider: PROVIDER, outcome: heartbeat ? 'heartbeat' : 'ok' });
      if (outcome.buffered || batcher.abandoned) return;
      const { books, results } = await namedFromCatalogue(
        catalogue,
        outcome.books,
        outcome.results,
        stopping.signal,
      );
      await batcher.add(books, results, outcome.publishTime);
    },
    async onMalformed(failure) {
      metrics.connectorMessages.inc({ provider: PROVIDER, outcome: 'malformed' });
      const { reasonCode, errors } = failure;
      log.warn({ reasonCode, errors: errors.slice(0, 10) }, `malformed frame dead-lettered: ${reasonCode}`);
      await deadLetter(failure);
    },
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
            if (!retrying) halts.set('session', describeError(error));
          },
          onRestored() {
            halts.set('session', undefined);
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
      await resume.restore();
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
            halts.set('stream', undefined);
          },
          onDown(error, retrying) {
            // A session that cannot be renewed needs a person even while the stream retries.
            if (!retrying || error instanceof SessionNotRenewedError)
              halts.set('stream', describeError(error));
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
      await batcher.settled();
      if (batcher.complete) await resume.saveIfBehind();
    },
    status: () => client?.status ?? { state: 'idle', failure: undefined },
  };
}

export const betfairConnector: ConnectorModule<
  typeof betfairConfigSchema,
  typeof betfairSettings,
  typeof betfairDemoSimulator
> = {
  name: PROVIDER,
  configSchema: betfairConfigSchema,
  settings: betfairSettings,
  recordingFormat: betfairStreamFormat,
  otherFormats: [betfairBspFormat],
  simulator: betfairDemoSimulator,
  create: createBetfairConnector,
};
