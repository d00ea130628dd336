import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../../src/core/errors.js';
import { createMetrics } from '../../../../src/core/metrics.js';
import {
  createOddsApiClient,
  parseRetryAfter,
  type OddsApiClientOptions,
} from '../../../../connectors/the-odds-api/http-client.js';
import type { OddsApiSimulator } from '../../../../connectors/the-odds-api/simulator.js';
import { metricValue } from '../../../helpers/connector-deps.js';
import { capturedLogger } from '../../../helpers/logs.js';
import { simulator } from './helpers.js';

const odds = ['/v4/sports/basketball_nba/odds', { regions: 'us', markets: 'h2h' }] as const;

function client(sim: OddsApiSimulator, overrides: Partial<OddsApiClientOptions> = {}) {
  const { logger, lines } = capturedLogger('debug');
  const metrics = createMetrics();
  const options: OddsApiClientOptions = {
    baseUrl: sim.url,
    apiKey: sim.apiKey,
    requestTimeoutMs: 2_000,
    retry: { attempts: 5, initialMs: 20, maxMs: 200 },
    ...overrides,
  };
  const c = createOddsApiClient(options, { logger, metrics, clock: { now: () => Date.now() } });
  const retries = () =>
    lines
      .filter((l) => l.msg.startsWith('retrying'))
      .map((l) => ({ delayMs: Number(l.delayMs), code: String(l.code), attempt: Number(l.attempt) }));
  return { c, metrics, lines, retries };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('Odds API client against the simulator', () => {
  it('returns the body with the quota and records quota and request metrics', async () => {
    const sim = await simulator({ quota: 500 });
    const { c, metrics } = client(sim);
    const res = await c.get(...odds);
    expect(res.status).toBe(200);
    expect(res.quota).toEqual({ remaining: 499, used: 1, last: 1 });
    expect(c.quota).toEqual(res.quota);
    expect(await metricValue(metrics.providerQuota, { provider: 'the-odds-api', kind: 'remaining' })).toBe(
      499,
    );
    expect(await metricValue(metrics.providerRequests, { provider: 'the-odds-api', status: '200' })).toBe(1);
  });

  it('rides out a 429 storm with jittered exponential backoff and no request flood', async () => {
    const sim = await simulator();
    sim.setFaults({ rateLimit: 3, retryAfterSeconds: null });
    const { c, retries, metrics } = client(sim);
    await c.get(...odds);
    // Three 429s, then the answer: one request per attempt, nothing more.
    expect(sim.stats.requests).toBe(4);
    expect(retries().map((r) => [r.attempt, r.code])).toEqual([
      [1, 'PROVIDER_RATE_LIMITED'],
      [2, 'PROVIDER_RATE_LIMITED'],
      [3, 'PROVIDER_RATE_LIMITED'],
    ]);
    // Full jitter: each wait is drawn from [0, min(max, initial·2^attempt)].
    retries().forEach((r, i) => {
      expect(r.delayMs).toBeGreaterThanOrEqual(0);
      expect(r.delayMs).toBeLessThanOrEqual(Math.min(200, 20 * 2 ** i));
    });
    expect(await metricValue(metrics.providerRequests, { status: '429' })).toBe(3);
  });

  it('waits at least as long as Retry-After asks', async () => {
    const sim = await simulator();
    sim.setFaults({ rateLimit: 1, retryAfterSeconds: 0.3 });
    const { c, retries } = client(sim);
    await c.get(...odds);
    expect(retries()[0]?.delayMs).toBeGreaterThanOrEqual(300);
  });

  it('gives up after the configured attempts when the provider stays down', async () => {
    const sim = await simulator();
    sim.setFaults({ serverError: Infinity });
    const { c } = client(sim, { retry: { attempts: 3, initialMs: 5, maxMs: 20 } });
    const err = await failure(c.get(...odds));
    expect([err.code, err.status, err.retriable]).toEqual(['PROVIDER_UNAVAILABLE', 500, true]);
    expect(sim.stats.requests).toBe(3);
  });

  it('does not retry a rejected key', async () => {
    const sim = await simulator();
    const { c } = client(sim, { apiKey: 'not-the-key' });
    const err = await failure(c.get(...odds));
    expect([err.code, err.status, err.retriable]).toEqual(['PROVIDER_AUTH_FAILED', 401, false]);
    expect(err.message).toContain('INVALID_KEY');
    expect(err.message).not.toContain('not-the-key');
    expect(sim.stats.requests).toBe(1);
  });

  it('tells an exhausted quota (a 401 with OUT_OF_USAGE_CREDITS) from a bad key, and does not retry it', async () => {
    const sim = await simulator();
    sim.setFaults({ quotaExhausted: true });
    const { c } = client(sim);
    const err = await failure(c.get(...odds));
    expect([err.code, err.status, err.retriable]).toEqual(['PROVIDER_QUOTA_EXHAUSTED', 401, false]);
    expect(sim.stats.requests).toBe(1);
  });

  it('does not retry other 4xx', async () => {
    const sim = await simulator();
    const { c } = client(sim);
    const err = await failure(c.get('/v4/sports/basketball_nba/odds', { regions: 'us', markets: 'corners' }));
    expect([err.code, err.status]).toEqual(['PROVIDER_REQUEST_REJECTED', 422]);
    expect(sim.stats.requests).toBe(1);
  });

  it('retries timeouts and dropped connections', async () => {
    const sim = await simulator();
    sim.setFaults({ slow: 1, slowMs: 1_000, drop: 1 });
    const { c, retries } = client(sim, { requestTimeoutMs: 150 });
    const res = await c.get(...odds);
    expect(res.status).toBe(200);
    expect(retries().map((r) => r.code)).toEqual(['PROVIDER_CONNECTION_LOST', 'PROVIDER_TIMEOUT']);
  });

  it('stops retrying at once when the caller aborts', async () => {
    const sim = await simulator();
    sim.setFaults({ serverError: Infinity });
    const { c } = client(sim, { retry: { attempts: 100, initialMs: 60_000, maxMs: 60_000 } });
    const abort = new AbortController();
    const pending = c.get(...odds, abort.signal);
    setTimeout(() => abort.abort(), 50);
    await expect(pending).rejects.toThrow(/abort/i);
    expect(sim.stats.requests).toBeLessThanOrEqual(2);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', 0)).toBe(3_000);
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(5_000);
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});
