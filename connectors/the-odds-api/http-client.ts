import { ProviderError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import { retry } from '../../src/core/resilience/backoff.js';
import type { Clock } from '../contract.js';
import { provider } from './parse-body.js';
import { mergeQuota, parseQuotaHeaders, unknownQuota, type Quota } from './quota.js';

export interface RetrySettings {
  /** Attempts per call, the first included. */
  attempts: number;
  initialMs: number;
  maxMs: number;
  factor?: number;
}

export interface OddsApiClientOptions {
  baseUrl: string;
  apiKey: string;
  requestTimeoutMs: number;
  retry: RetrySettings;
  /** For tests that want a fixed jitter; Math.random otherwise. */
  random?: () => number;
}

export interface OddsApiResponse {
  status: number;
  body: string;
  quota: Quota;
  receivedAt: number;
}

/** Wraps one HTTP attempt, e.g. in a circuit breaker; retries happen around it. */
export type AttemptGuard = (attempt: () => Promise<OddsApiResponse>) => Promise<OddsApiResponse>;

export interface OddsApiClientDeps {
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  guard?: AttemptGuard;
}

export interface OddsApiClient {
  /** GET `path` with the apiKey added; resolves with a 2xx response, rejects with a ProviderError. */
  get(path: string, query: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<OddsApiResponse>;
  /** The latest quota the provider reported, error responses included. */
  readonly quota: Quota;
}

/** A 429, with how long the provider asked us to wait (Retry-After), when it said. */
export class RateLimitedError extends ProviderError {
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryAfterMs: number | undefined) {
    super('PROVIDER_RATE_LIMITED', provider, message, { status: 429 });
    this.retryAfterMs = retryAfterMs;
  }
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The provider's error body: `{"message": "...", "error_code": "INVALID_KEY", "details_url": "..."}`. */
function errorCodeOf(body: string): { errorCode: string | undefined; message: string } {
  try {
    const parsed = JSON.parse(body) as { error_code?: unknown; message?: unknown };
    return {
      errorCode: typeof parsed.error_code === 'string' ? parsed.error_code : undefined,
      message: typeof parsed.message === 'string' ? parsed.message : body.slice(0, 200),
    };
  } catch {
    return { errorCode: undefined, message: body.slice(0, 200) };
  }
}

/**
 * Status → error, after https://the-odds-api.com/liveapi/guides/v4/api-error-codes.html:
 * running out of usage credits is a 401 with error_code OUT_OF_USAGE_CREDITS (not a 429), and only
 * a new billing period or plan fixes it, so it must not be retried; nor must a bad key (401
 * INVALID_KEY, DEACTIVATED_KEY). 429 EXCEEDED_FREQ_LIMIT passes after a few seconds.
 */
export function statusError(status: number, body: string, headers: Headers, now: number): ProviderError {
  const { errorCode, message } = errorCodeOf(body);
  const what = `HTTP ${status}${errorCode ? ` ${errorCode}` : ''}: ${message}`;
  if (status === 429) return new RateLimitedError(what, parseRetryAfter(headers.get('retry-after'), now));
  if (status === 401 || status === 403) {
    const quotaGone = errorCode === 'OUT_OF_USAGE_CREDITS' || /quota/i.test(message);
    return new ProviderError(
      quotaGone ? 'PROVIDER_QUOTA_EXHAUSTED' : 'PROVIDER_AUTH_FAILED',
      provider,
      what,
      { status },
    );
  }
  if (status >= 500) return new ProviderError('PROVIDER_UNAVAILABLE', provider, what, { status });
  if (status >= 400) return new ProviderError('PROVIDER_REQUEST_REJECTED', provider, what, { status });
  return new ProviderError('PROVIDER_PROTOCOL', provider, `unexpected ${what}`, { status });
}

function networkError(err: unknown, timedOut: boolean, timeoutMs: number): ProviderError {
  if (timedOut)
    return new ProviderError('PROVIDER_TIMEOUT', provider, `no answer within ${timeoutMs} ms`, {
      cause: err,
    });
  const reason =
    err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
  return new ProviderError('PROVIDER_CONNECTION_LOST', provider, `request failed: ${reason}`, { cause: err });
}

export function createOddsApiClient(options: OddsApiClientOptions, deps: OddsApiClientDeps): OddsApiClient {
  const { metrics, clock } = deps;
  const guard: AttemptGuard = deps.guard ?? ((attempt) => attempt());
  const log = deps.logger;
  let latestQuota = unknownQuota;

  function recordQuota(quota: Quota): void {
    latestQuota = mergeQuota(latestQuota, quota);
    for (const kind of ['remaining', 'used', 'last'] as const) {
      const value = quota[kind];
      if (value !== null) metrics.providerQuota.set({ provider, kind }, value);
    }
  }

  async function attemptOnce(url: URL, signal: AbortSignal | undefined): Promise<OddsApiResponse> {
    if (signal?.aborted) throw signal.reason;
    const timeout = AbortSignal.timeout(options.requestTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    let body: string;
    try {
      response = await fetch(url, { signal: combined, headers: { accept: 'application/json' } });
      body = await response.text();
    } catch (err) {
      // Stopping is not a provider failure: let the caller see its own abort.
      if (signal?.aborted) throw signal.reason;
      const mapped = networkError(err, timeout.aborted, options.requestTimeoutMs);
      metrics.providerRequests.inc({ provider, status: mapped.code });
      throw mapped;
    }
    metrics.providerRequests.inc({ provider, status: String(response.status) });
    const quota = parseQuotaHeaders((name) => response.headers.get(name));
    recordQuota(quota);
    if (response.ok) return { status: response.status, body, quota, receivedAt: clock.now() };
    throw statusError(response.status, body, response.headers, clock.now());
  }

  return {
    get quota() {
      return latestQuota;
    },
    get(path, query, signal) {
      const url = new URL(path, options.baseUrl);
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
      url.searchParams.set('apiKey', options.apiKey);
      return retry(() => guard(() => attemptOnce(url, signal)), {
        ...options.retry,
        ...(signal ? { signal } : {}),
        ...(options.random ? { random: options.random } : {}),
        delayHint: (err) => (err instanceof RateLimitedError ? err.retryAfterMs : undefined),
        onRetry: (err, attempt, delayMs) => {
          const code = err instanceof ProviderError ? err.code : undefined;
          // The path only: the URL carries the apiKey.
          log.debug({ path, attempt, delayMs, code }, `retrying ${path} in ${delayMs} ms`);
        },
      });
    },
  };
}
