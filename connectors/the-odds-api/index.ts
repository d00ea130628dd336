import {
  describeError,
  isRetriable,
  OddsflowError,
  ProviderError,
  type ErrorCode,
} from '../../src/core/errors.js';
import { componentLogger } from '../../src/core/logger.js';
import type { Connector, ConnectorDeps, ConnectorModule, ParseFailure } from '../contract.js';
import { breakerGuard, runAttempt, type AttemptBreaker } from './breaker-guard.js';
import { configSchema, type SportConfig, type TheOddsApiConfig } from './config.js';
import { oddsApiDemoSimulator } from './demo-simulator.js';
import { createOddsApiClient, type OddsApiResponse } from './http-client.js';
import { provider } from './parse-body.js';
import { parseOddsBody } from './parse-odds.js';
import { parseScoresBody } from './parse-scores.js';
import { createPollLoop, type PollLoop } from './poll-loop.js';
import { stretchInterval, type Quota } from './quota.js';
import { oddsApiRecordingFormat } from './recording.js';
import { createResultsTracker } from './results-tracker.js';
import { theOddsApiSettings } from './settings.js';
import { createWithdrawalTracker, type WithdrawalTracker } from './withdrawals.js';

export { configSchema } from './config.js';
export type { TheOddsApiConfig, SportConfig } from './config.js';

/** Why the connector stopped calling the provider on its own: only a person can fix these. */
export interface Halt {
  code: ErrorCode;
  reason: string;
  since: number;
}

export interface ConnectorStatus {
  halted: Halt | null;
  breaker: 'closed' | 'halfOpen' | 'open';
  quota: Quota;
}

export interface TheOddsApiConnector extends Connector {
  status(): ConnectorStatus;
}

const haltingCodes = new Set<ErrorCode>(['PROVIDER_AUTH_FAILED', 'PROVIDER_QUOTA_EXHAUSTED']);

const haltMessages: Partial<Record<ErrorCode, string>> = {
  PROVIDER_AUTH_FAILED: 'API key rejected',
  PROVIDER_QUOTA_EXHAUSTED: 'usage credits exhausted',
};

export function createTheOddsApiConnector(
  config: TheOddsApiConfig,
  deps: ConnectorDeps,
): TheOddsApiConnector {
  const { publisher, metrics, clock } = deps;
  const log = componentLogger(deps.logger, 'connector', provider);
  // The breaker's own timeout only backs up the client's, which fires first with a clearer error.
  const breaker: AttemptBreaker = deps.breakers.create(provider, runAttempt, {
    timeoutMs: config.requestTimeoutMs + 1_000,
  });
  const client = createOddsApiClient(
    {
      baseUrl: config.baseUrl,
      apiKey: config.apiKey,
      requestTimeoutMs: config.requestTimeoutMs,
      retry: config.retry,
    },
    { logger: log, metrics, clock, guard: breakerGuard(breaker) },
  );
  const tracker = createResultsTracker(config.resultsMemory);
  // One per sport poll: each compares a response with the previous response of the same query.
  const withdrawals = new Map<string, WithdrawalTracker>();
  const abort = new AbortController();
  let halt: Halt | null = null;
  let loops: PollLoop[] = [];

  // The breaker's error filter lets non-retriable errors through without counting them, so a
  // rejected key or an exhausted quota would never open it. Those are opened by hand, and kept
  // open: opossum half-opens after resetTimeout, and a probe would only spend a call to learn the
  // same thing, so the breaker is closed again only by a restart with a new key or quota.
  breaker.on('halfOpen', () => {
    if (halt) breaker.open();
  });

  function haltPolling(err: ProviderError): void {
    if (halt) return;
    halt = { code: err.code, reason: err.message, since: clock.now() };
    breaker.open();
    deps.status.halted(`${err.code}: ${haltMessages[err.code] ?? err.message}`);
    log.error(
      { err, code: err.code },
      `${haltMessages[err.code] ?? err.code} (${err.message}): polling stopped without retries, breaker held open until restart`,
    );
  }

  function onCallError(err: unknown, what: string): void {
    if (abort.signal.aborted) return;
    if (err instanceof ProviderError && haltingCodes.has(err.code)) return haltPolling(err);
    if (err instanceof OddsflowError && err.code === 'BREAKER_OPEN') {
      log.debug(`${what}: skipped, breaker open`);
      return;
    }
    log.warn(
      { err, code: err instanceof OddsflowError ? err.code : undefined },
      `${what} failed: ${describeError(err)}`,
    );
  }

  async function call(
    what: string,
    path: string,
    query: Record<string, string>,
  ): Promise<OddsApiResponse | undefined> {
    // While halted nothing is called, so nothing stale is published either.
    if (halt || abort.signal.aborted) return undefined;
    try {
      return await client.get(path, query, abort.signal);
    } catch (err) {
      onCallError(err, what);
      return undefined;
    }
  }

  async function deadLetter(what: string, failures: readonly ParseFailure[]): Promise<void> {
    for (const failure of failures) await publisher.deadLetter(failure);
    const first = failures[0];
    if (first) {
      log.warn(
        { reasonCode: first.reasonCode, failures: failures.length, firstError: first.errors[0] },
        `${what}: ${failures.length} malformed record(s) dead-lettered`,
      );
    }
  }

  async function pollOdds(sport: SportConfig): Promise<void> {
    const what = `${sport.sport} odds`;
    const query: Record<string, string> = {
      regions: sport.regions.join(','),
      markets: sport.markets.join(','),
      oddsFormat: sport.oddsFormat,
      dateFormat: 'iso',
      ...(sport.bookmakers ? { bookmakers: sport.bookmakers.join(',') } : {}),
    };
    const response = await call(what, `/v4/sports/${sport.sport}/odds`, query);
    if (!response) return;
    const {
      books: listed,
      failures,
      events,
    } = parseOddsBody(response.body, {
      oddsFormat: sport.oddsFormat,
      receivedAt: response.receivedAt,
    });
    metrics.connectorMessages.inc({ provider, outcome: failures.length === 0 ? 'ok' : 'malformed' });
    let withdrawn = withdrawals.get(sport.sport);
    if (withdrawn === undefined) withdrawals.set(sport.sport, (withdrawn = createWithdrawalTracker()));
    const facts = { receivedAt: response.receivedAt, complete: failures.length === 0, events };
    const books = [...listed, ...withdrawn.withdrawals(listed, facts)];
    if (books.length > 0) {
      try {
        await publisher.publishBooks(books);
        metrics.connectorRecords.inc({ provider, kind: 'book' }, books.length);
      } catch (err) {
        if (isRetriable(err)) throw err;
        // Kafka can never take them (a record over the size limit): keep the response for a replay.
        const code = err instanceof OddsflowError ? err.code : 'PUBLISH_REJECTED';
        const failure = {
          provider,
          reasonCode: code,
          errors: [{ path: '$', code, message: describeError(err) }],
        };
        await deadLetter(what, [{ ...failure, payload: response.body }]);
      }
    }
    // Only once published: a failed publish compares the next response with this one's predecessor.
    withdrawn.remember(listed, facts);
    await deadLetter(what, failures);
  }

  async function pollScores(sport: SportConfig): Promise<void> {
    const what = `${sport.sport} scores`;
    const query = { daysFrom: String(sport.daysFrom), dateFormat: 'iso' };
    const response = await call(what, `/v4/sports/${sport.sport}/scores`, query);
    if (!response) return;
    const { results, failures } = parseScoresBody(response.body, response.receivedAt);
    metrics.connectorMessages.inc({ provider, outcome: failures.length === 0 ? 'ok' : 'malformed' });
    const fresh = tracker.newlyCompleted(results);
    if (fresh.length > 0) {
      await publisher.publishResults(fresh);
      tracker.markPublished(fresh);
      metrics.connectorRecords.inc({ provider, kind: 'result' }, fresh.length);
    }
    await deadLetter(what, failures);
  }

  function loop(what: string, intervalMs: number, run: () => Promise<void>): PollLoop {
    return createPollLoop({
      run,
      nextDelayMs: () => stretchInterval(intervalMs, client.quota, config.quota),
      // Only publishing can throw here (calls handle their own errors): the next poll tries again.
      onError: (err) => log.warn({ err }, `${what}: publishing failed: ${describeError(err)}`),
    });
  }

  return {
    name: provider,
    start() {
      loops = config.sports.flatMap((sport) => [
        loop(`${sport.sport} odds`, sport.pollIntervalMs, () => pollOdds(sport)),
        ...(sport.scoresIntervalMs === null
          ? []
          : [loop(`${sport.sport} scores`, sport.scoresIntervalMs, () => pollScores(sport))]),
      ]);
      for (const l of loops) l.start();
      log.info({ sports: config.sports.map((s) => s.sport) }, `polling ${config.sports.length} sport(s)`);
      return Promise.resolve();
    },
    async stop() {
      abort.abort();
      await Promise.all(loops.map((l) => l.stop()));
      breaker.shutdown();
    },
    status() {
      const state = breaker.opened ? 'open' : breaker.halfOpen ? 'halfOpen' : 'closed';
      return { halted: halt, breaker: state, quota: client.quota };
    },
  };
}

export const theOddsApiConnector: ConnectorModule<
  typeof configSchema,
  typeof theOddsApiSettings,
  typeof oddsApiDemoSimulator
> = {
  name: provider,
  configSchema,
  settings: theOddsApiSettings,
  recordingFormat: oddsApiRecordingFormat,
  otherFormats: [],
  simulator: oddsApiDemoSimulator,
  create: createTheOddsApiConnector,
};
