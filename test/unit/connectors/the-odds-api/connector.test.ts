import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../../helpers/wait.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { theOddsApiConnector, type TheOddsApiConnector } from '../../../../connectors/the-odds-api/index.js';
import type { OddsApiSimulator } from '../../../../connectors/the-odds-api/simulator.js';
import { metricValue } from '../../../helpers/connector-deps.js';
import { simulator, testDeps, type TestDeps } from './helpers.js';

function connect(
  sim: OddsApiSimulator,
  deps: TestDeps,
  overrides: Record<string, unknown> = {},
): TheOddsApiConnector {
  const config = theOddsApiConnector.configSchema.parse({
    apiKey: sim.apiKey,
    baseUrl: sim.url,
    sports: [
      {
        sport: 'basketball_nba',
        regions: ['us'],
        markets: ['h2h', 'spreads'],
        pollIntervalMs: 20,
        scoresIntervalMs: 20,
      },
    ],
    requestTimeoutMs: 500,
    retry: { attempts: 3, initialMs: 5, maxMs: 20 },
    ...overrides,
  });
  const connector = theOddsApiConnector.create(config, deps) as TheOddsApiConnector;
  onTestFinished(() => connector.stop());
  return connector;
}

const connectorLines = (deps: TestDeps, level: string) =>
  deps.lines.filter((l) => l.component === 'connector' && l.level === level);

describe('The Odds API connector', () => {
  it('publishes books and, once games complete, one result per game', async () => {
    const sim = await simulator({
      sports: [{ key: 'basketball_nba', events: 2 }],
      firstStartMs: 50,
      startSpacingMs: 20,
      durationMs: 150,
      stepMs: 10,
    });
    const deps = testDeps();
    const connector = connect(sim, deps);
    await connector.start();
    await waitFor(() => expect(deps.publisher.results.length).toBeGreaterThanOrEqual(2));
    await sleep(100);
    await connector.stop();
    const { books, results } = deps.publisher;
    expect(books.length).toBeGreaterThan(0);
    expect(new Set(books.map((b) => b.marketType))).toEqual(new Set(['h2h', 'spreads']));
    expect(results.every((r) => r.completed && r.scores.length === 2)).toBe(true);
    expect(new Set(results.map((r) => r.sourceEventId)).size).toBe(results.length);
    expect(await metricValue(deps.metrics.connectorRecords, { kind: 'result' })).toBe(results.length);
    expect(deps.publisher.deadLetters).toEqual([]);
  });

  it('opens the breaker while the provider is down, probes half-open, and recovers', async () => {
    const sim = await simulator();
    const deps = testDeps();
    const connector = connect(sim, deps);
    sim.setFaults({ serverError: Infinity });
    await connector.start();
    await waitFor(() => expect(connector.status().breaker).toBe('open'));
    const booksWhileDown = deps.publisher.books.length;
    // While open, polls fail fast without calling: far fewer requests than polls.
    const requestsWhenOpened = sim.stats.requests;
    await waitFor(() =>
      expect(deps.lines.some((l) => l.component === 'breaker' && l.state === 'halfOpen')).toBe(true),
    );
    expect(sim.stats.requests - requestsWhenOpened).toBeLessThanOrEqual(3);
    sim.setFaults({ serverError: 0 });
    await waitFor(() => expect(deps.publisher.books.length).toBeGreaterThan(booksWhileDown));
    expect(connector.status().breaker).toBe('closed');
    const states = deps.lines.filter((l) => l.component === 'breaker').map((l) => l.state);
    expect(states.slice(0, 2)).toEqual(['open', 'halfOpen']);
    expect(states).toContain('closed');
    expect(booksWhileDown).toBe(0);
  });

  it('backs off through a 429 storm: polls meet the open breaker instead of the provider', async () => {
    const sim = await simulator();
    const deps = testDeps(undefined, 'debug');
    sim.setFaults({ rateLimit: 6, retryAfterSeconds: null });
    const connector = connect(sim, deps, {
      sports: [{ sport: 'soccer_epl', regions: ['uk'], pollIntervalMs: 10, scoresIntervalMs: null }],
    });
    await connector.start();
    await waitFor(() => expect(deps.publisher.books.length).toBeGreaterThan(0));
    await connector.stop();
    expect(sim.stats.byStatus[429]).toBe(6);
    const skipped = deps.lines.filter(
      (l) => l.component === 'connector' && /skipped, breaker open/.test(l.msg),
    );
    const retried = deps.lines.filter((l) => l.msg.startsWith('retrying'));
    // Requests: the storm plus the answers; every other poll during it failed fast without a call.
    expect(skipped.length).toBeGreaterThan(0);
    expect(sim.stats.requests).toBe(6 + (sim.stats.byStatus[200] ?? 0));
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.length).toBeLessThan(6);
  });

  it('stops calling on a rejected key: no retries, breaker held open, one log line', async () => {
    const sim = await simulator();
    const deps = testDeps();
    const connector = connect(sim, deps, { apiKey: 'revoked' });
    await connector.start();
    await waitFor(() => expect(connector.status().halted?.code).toBe('PROVIDER_AUTH_FAILED'));
    // Let opossum's reset timer fire: the breaker must be opened again, not probe.
    await waitFor(() =>
      expect(deps.lines.some((l) => l.component === 'breaker' && l.state === 'halfOpen')).toBe(true),
    );
    await sleep(50);
    expect(connector.status().breaker).toBe('open');
    // Odds and scores polls may both be in flight when the first 401 lands; nothing after that.
    expect(sim.stats.requests).toBeLessThanOrEqual(2);
    const errors = connectorLines(deps, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toMatch(/API key rejected .*INVALID_KEY.*polling stopped/);
    expect(JSON.stringify(deps.lines)).not.toContain('revoked');
    expect(deps.publisher.books).toEqual([]);
    // The role's /readyz and alerting gauge follow deps.status.
    expect(deps.status.current).toBe('PROVIDER_AUTH_FAILED: API key rejected');
  });

  it('stops calling when usage credits run out, after publishing what it had', async () => {
    // Each odds call costs 2 (2 markets × 1 region), scores 2 (daysFrom): 4 credits pay for 2 calls.
    const sim = await simulator({ quota: 4 });
    const deps = testDeps();
    const connector = connect(sim, deps);
    await connector.start();
    await waitFor(() => expect(connector.status().halted?.code).toBe('PROVIDER_QUOTA_EXHAUSTED'));
    const requests = sim.stats.requests;
    const books = deps.publisher.books.length;
    await sleep(200);
    expect(sim.stats.requests).toBe(requests);
    expect(deps.publisher.books.length).toBe(books);
    expect(books).toBeGreaterThan(0);
    expect(sim.stats.byStatus[401]).toBeLessThanOrEqual(2);
    expect(connectorLines(deps, 'error')).toHaveLength(1);
    expect(connectorLines(deps, 'error')[0]?.msg).toMatch(/usage credits exhausted .*OUT_OF_USAGE_CREDITS/);
    expect(connector.status()).toMatchObject({ breaker: 'open', quota: { remaining: 0 } });
    expect(deps.status.current).toBe('PROVIDER_QUOTA_EXHAUSTED: usage credits exhausted');
  });

  it('dead-letters a malformed body and keeps polling', async () => {
    const sim = await simulator();
    const deps = testDeps();
    sim.setFaults({ malformed: 2 });
    const connector = connect(sim, deps);
    await connector.start();
    await waitFor(() => expect(deps.publisher.books.length).toBeGreaterThan(0));
    await connector.stop();
    const letters = deps.publisher.deadLetters;
    expect(letters.map((l) => l.reasonCode)).toEqual(['MALFORMED_JSON', 'MALFORMED_JSON']);
    expect(letters.every((l) => typeof l.payload === 'string' && l.payload.length > 0)).toBe(true);
    expect(await metricValue(deps.metrics.connectorMessages, { outcome: 'malformed' })).toBe(2);
    expect(connector.status().halted).toBeNull();
    expect(deps.status.halts).toEqual([]);
  });

  it('stretches the interval as credits run down and idles rather than spend the last one on a 401', async () => {
    const sim = await simulator({ quota: 20 });
    const deps = testDeps();
    const connector = connect(sim, deps, {
      sports: [{ sport: 'soccer_epl', regions: ['uk'], pollIntervalMs: 5, scoresIntervalMs: null }],
      quota: { comfortableShare: 0.5, maxIntervalMs: 60_000 },
    });
    await connector.start();
    // One credit per call: the intervals grow as the last ten credits go, then the feed idles.
    await waitFor(() => expect(sim.stats.quotaUsed).toBe(20));
    await sleep(200);
    expect(sim.stats.requests).toBe(20);
    expect(sim.stats.byStatus[401]).toBeUndefined();
    expect(connector.status()).toMatchObject({ halted: null, quota: { remaining: 0, used: 20 } });
  });

  it('stop() waits for the poll in flight and nothing is published after it', async () => {
    const sim = await simulator();
    const deps = testDeps();
    let release = () => {};
    deps.publisher.gate = new Promise<void>((resolve) => (release = resolve));
    const connector = connect(sim, deps, {
      sports: [{ sport: 'soccer_epl', regions: ['uk'], pollIntervalMs: 10, scoresIntervalMs: null }],
    });
    await connector.start();
    await waitFor(() => expect(deps.publisher.publishing).toBe(1));
    let stopped = false;
    const stopping = connector.stop().then(() => (stopped = true));
    await sleep(30);
    expect(stopped).toBe(false);
    release();
    await stopping;
    const published = deps.publisher.books.length;
    const requests = sim.stats.requests;
    expect(published).toBeGreaterThan(0);
    await sleep(50);
    expect(deps.publisher.books.length).toBe(published);
    expect(sim.stats.requests).toBe(requests);
  });
});

describe('config schema', () => {
  const base = { apiKey: 'k', sports: [{ sport: 'basketball_nba', regions: ['us'] }] };

  it('fills defaults', () => {
    const config = theOddsApiConnector.configSchema.parse(base);
    expect(config.baseUrl).toBe('https://api.the-odds-api.com');
    expect(config.retry).toEqual({ attempts: 4, initialMs: 1_000, maxMs: 30_000, factor: 2 });
    expect(config.sports[0]).toMatchObject({
      markets: ['h2h'],
      oddsFormat: 'decimal',
      daysFrom: 1,
      pollIntervalMs: 60_000,
    });
  });

  it('rejects unknown keys and out-of-range values, with their paths', () => {
    const result = theOddsApiConnector.configSchema.safeParse({
      ...base,
      apikey: 'typo',
      sports: [{ sport: 'basketball_nba', regions: ['us'], daysFrom: 4, oddsFormat: 'fractional' }],
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['', 'sports.0.daysFrom', 'sports.0.oddsFormat']));
  });
});
