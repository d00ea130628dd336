import { once } from 'node:events';
import { waitFor } from '../../../helpers/wait.js';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  betfairConnector,
  createBetfairConnector,
  type BetfairConfigInput,
} from '../../../../connectors/betfair/index.js';
import {
  startBetfairSimulator,
  type BetfairSimulator,
  type BetfairSimulatorOptions,
} from '../../../../connectors/betfair/simulator.js';
import { OddsflowError } from '../../../../src/core/errors.js';
import { metricValue } from '../../../helpers/connector-deps.js';
import { comparable, testDeps, type TestDeps } from './helpers.js';

const T0 = Date.parse('2027-03-01T12:00:00Z');

async function simulator(options: BetfairSimulatorOptions = {}): Promise<BetfairSimulator> {
  const sim = await startBetfairSimulator({
    tls: 'off',
    markets: 3,
    publishTime: (seq) => T0 + seq * 1000,
    ...options,
  });
  onTestFinished(() => sim.stop());
  return sim;
}

function connector(sim: BetfairSimulator, { deps }: TestDeps, overrides: Partial<BetfairConfigInput> = {}) {
  const config = betfairConnector.configSchema.parse({
    ...sim.connectorConfig(),
    heartbeatMs: 500,
    stateFlushMs: 0,
    backoff: { initialMs: 10, maxMs: 50 },
    ...overrides,
  });
  const created = createBetfairConnector(config, deps);
  onTestFinished(() => created.stop());
  return created;
}

/** A fixed script of market activity; `disturb` runs half-way through it. */
async function script(sim: BetfairSimulator, t: TestDeps, disturb: () => void | Promise<void>) {
  const [first, second] = sim.marketIds();
  await waitFor(() => expect(t.publisher.books.length).toBeGreaterThanOrEqual(6));
  sim.tick(30);
  await disturb();
  sim.tick(30);
  sim.settle(first!);
  await waitFor(() => expect(t.publisher.results).toHaveLength(1));
  sim.tick(30);
  sim.settle(second!);
  await waitFor(() => expect(t.publisher.results).toHaveLength(2));
  return {
    books: t.publisher.books.map(comparable),
    results: t.publisher.results.map(({ receivedAt: _at, ...rest }) => rest),
  };
}

describe('Betfair stream connector against the simulator', () => {
  it('subscribes over TLS and publishes books from a segmented, fragmented image and from deltas', async () => {
    const sim = await simulator({ tls: 'auto', markets: 5, segmentMarkets: 2, chunkBytes: 7 });
    const t = await testDeps();
    const c = connector(sim, t);
    await c.start();
    await waitFor(() => expect(t.publisher.books).toHaveLength(10));
    expect(new Set(t.publisher.books.map((b) => b.sourceMarketId))).toEqual(new Set(sim.marketIds()));
    expect(new Set(t.publisher.books.map((b) => b.sport))).toEqual(new Set(['7', '4339']));
    expect(
      t.publisher.books.every((b) => b.status === 'OPEN' && b.selections.every((s) => s.price !== null)),
    ).toBe(true);
    sim.tick(20);
    await waitFor(() => expect(t.publisher.books.length).toBeGreaterThan(10));
    expect(c.status().state).toBe('subscribed');
    expect(sim.stats.subscriptions).toEqual([
      { initialClk: undefined, clk: undefined, answer: 'SUB_IMAGE', missed: 0 },
    ]);
    expect(await metricValue(t.metrics.providerConnected, { provider: 'betfair' })).toBe(1);
    await c.stop();
    expect(await metricValue(t.metrics.connectorRecords, { kind: 'book' })).toBe(t.publisher.books.length);
    expect(await metricValue(t.metrics.providerConnected, { provider: 'betfair' })).toBe(0);
  });

  it('resumes with its clocks after a dropped connection: no gap, no duplicate', async () => {
    const reference = await (async () => {
      const sim = await simulator({ seed: 11 });
      const t = await testDeps();
      await connector(sim, t).start();
      return script(sim, t, () => undefined);
    })();

    const sim = await simulator({ seed: 11 });
    const t = await testDeps();
    await connector(sim, t).start();
    const dropped = await script(sim, t, () => sim.dropConnections());

    expect(sim.stats.subscriptions.map((s) => s.answer)).toEqual(['SUB_IMAGE', 'RESUB_DELTA']);
    expect(sim.stats.subscriptions[1]?.clk).toEqual(expect.any(String));
    // At least the 30 ticks made while it was away came back as deltas.
    expect(sim.stats.subscriptions[1]?.missed).toBeGreaterThanOrEqual(30);
    expect(await metricValue(t.metrics.providerReconnects, { provider: 'betfair' })).toBe(1);
    expect(dropped.books.length).toBeGreaterThan(60);
    expect(dropped.books).toEqual(reference.books);
    expect(dropped.results).toEqual(reference.results);
  });

  it('retries with backoff through the breaker while the server is down, then connects', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const t = await testDeps();
    const c = createBetfairConnector(
      betfairConnector.configSchema.parse({
        host: '127.0.0.1',
        port,
        tls: false,
        appKey: 'sim-app-key',
        sessionToken: 'sim-session-token',
        backoff: { initialMs: 10, maxMs: 40 },
      }),
      t.deps,
    );
    onTestFinished(() => c.stop());
    await c.start();
    await waitFor(async () => {
      expect(await metricValue(t.metrics.providerReconnects, { provider: 'betfair' })).toBeGreaterThanOrEqual(
        4,
      );
      expect(await metricValue(t.metrics.breakerTransitions, { state: 'open' })).toBeGreaterThanOrEqual(1);
    });
    await simulator({ port });
    await waitFor(() => expect(t.publisher.books).toHaveLength(6));
    expect(c.status().state).toBe('subscribed');
  });

  it('dead-letters a malformed frame, counts and logs it, and stays connected', async () => {
    const sim = await simulator();
    const t = await testDeps();
    await connector(sim, t).start();
    await script(sim, t, () => sim.sendMalformed());
    expect(t.publisher.deadLetters.map((f) => [f.provider, f.reasonCode])).toEqual([
      ['betfair', 'MALFORMED_JSON'],
    ]);
    expect(String(t.publisher.deadLetters[0]?.payload)).toBe('{"op":"mcm","pt":1,"mc":[{"id":');
    expect(await metricValue(t.metrics.connectorMessages, { outcome: 'malformed' })).toBe(1);
    expect(t.logs().some((l) => l.level === 'warn' && l.msg.includes('malformed frame dead-lettered'))).toBe(
      true,
    );
    expect(sim.stats.connections).toBe(1);
  });

  it('stops for good on a refused token it cannot renew (no login): not retriable, no reconnect storm, not ready', async () => {
    const sim = await simulator();
    const t = await testDeps();
    const c = connector(sim, t, { sessionToken: 'expired-token', login: undefined });
    await expect(c.start()).rejects.toMatchObject({ code: 'PROVIDER_AUTH_FAILED', retriable: false });
    await sleep(300);
    expect(sim.stats.connections).toBe(1);
    expect(sim.stats.authFailures).toBe(1);
    expect(sim.accountStats.logins).toBe(0);
    // One attempt to renew (nothing to log in with), no second socket.
    expect(await metricValue(t.metrics.providerReconnects, { provider: 'betfair' })).toBe(1);
    expect(c.status().state).toBe('failed');
    const errors = t.logs().filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toContain('INVALID_SESSION_INFORMATION');
    expect(errors[0]?.msg).toContain('no login is configured');
    expect(t.status.current).toContain('INVALID_SESSION_INFORMATION');
    expect(JSON.stringify(t.logs())).not.toContain(sim.appKey);
  });

  it('stops for good on a bad app key, which no login mends', async () => {
    const sim = await simulator();
    const t = await testDeps();
    const c = connector(sim, t, { appKey: 'not-the-app-key' });
    await expect(c.start()).rejects.toMatchObject({ code: 'PROVIDER_AUTH_FAILED', retriable: false });
    expect(sim.stats.authFailures).toBe(1);
    expect(sim.accountStats.logins).toBe(0);
    expect(t.status.current).toContain('INVALID_APP_KEY');
  });

  it('answers INVALID_CLOCK with a subscription for a full image, which re-emits nothing unchanged', async () => {
    const sim = await simulator();
    const t = await testDeps();
    await connector(sim, t).start();
    let booksBefore = 0;
    await script(sim, t, async () => {
      const settled = t.publisher.books.length;
      await waitFor(() => expect(t.publisher.books.length).toBe(settled));
      sim.invalidateClocks();
      sim.dropConnections();
      await waitFor(() => expect(sim.stats.subscriptions).toHaveLength(3));
      booksBefore = t.publisher.books.length;
    });
    expect(sim.stats.subscriptions.map((s) => [s.answer, s.clk === undefined])).toEqual([
      ['SUB_IMAGE', true],
      ['INVALID_CLOCK', false],
      ['SUB_IMAGE', true],
    ]);
    expect(booksBefore).toBeGreaterThan(6);
    expect(t.logs().some((l) => l.msg.includes('INVALID_CLOCK'))).toBe(true);
  });

  it('drops a silent peer after the dead-peer timeout and resumes from its clocks', async () => {
    const sim = await simulator();
    const t = await testDeps();
    await connector(sim, t, { deadPeerTimeoutMs: 1_000 }).start();
    await script(sim, t, () => sim.stall(5_000));
    expect(sim.stats.subscriptions.map((s) => s.answer)).toEqual(['SUB_IMAGE', 'RESUB_DELTA']);
    expect(sim.stats.heartbeatRequests).toBeGreaterThanOrEqual(1);
    expect(t.logs().some((l) => l.level === 'warn' && l.msg.includes('dead peer'))).toBe(true);
  });

  it('retries a failing publisher without losing or repeating books', async () => {
    const sim = await simulator({ seed: 5 });
    const reference = await testDeps();
    await connector(sim, reference).start();
    await waitFor(() => expect(reference.publisher.books).toHaveLength(6));

    const t = await testDeps();
    let failures = 2;
    const publishBooks = t.publisher.publishBooks.bind(t.publisher);
    t.publisher.publishBooks = (books) =>
      failures-- > 0
        ? Promise.reject(new OddsflowError('KAFKA_UNAVAILABLE', 'broker down'))
        : publishBooks(books);
    await connector(sim, t).start();
    await waitFor(() => expect(t.publisher.books).toHaveLength(6));
    sim.tick(10);
    await waitFor(() =>
      expect(t.publisher.books.map(comparable)).toEqual(reference.publisher.books.map(comparable)),
    );
    expect(t.logs().filter((l) => l.msg.includes('publishing books failed, retrying'))).toHaveLength(2);
  });

  it('restarts from the state saved in stateDir: resubscribes with its clocks, re-emits nothing', async () => {
    const reference = await (async () => {
      const sim = await simulator({ seed: 21 });
      const t = await testDeps();
      await connector(sim, t).start();
      return script(sim, t, () => sim.tick(5));
    })();

    const sim = await simulator({ seed: 21 });
    const first = await testDeps();
    const before = connector(sim, first);
    await before.start();
    let second: TestDeps | undefined;
    const restarted = await script(sim, first, async () => {
      // Stopped once everything is handed over; the script's ticks go on while it is down.
      const settled = first.publisher.books.length;
      await waitFor(() => expect(first.publisher.books.length).toBe(settled));
      await before.stop();
      sim.tick(5);
      second = await testDeps({ stateDir: first.deps.stateDir, publisher: first.publisher });
      await connector(sim, second).start();
    });
    expect(sim.stats.subscriptions.map((s) => s.answer)).toEqual(['SUB_IMAGE', 'RESUB_DELTA']);
    expect(restarted.books).toEqual(reference.books);
    expect(restarted.results).toEqual(reference.results);
    expect(second?.logs().some((l) => l.msg === 'stream state restored')).toBe(true);
  });
});

describe('Betfair session lifecycle against the simulator', () => {
  it.each(['NO_SESSION', 'INVALID_SESSION_INFORMATION'] as const)(
    'renews an expired session (%s) by logging in again and resubscribes from its clocks: no gap, no duplicate',
    async (errorCode) => {
      const reference = await (async () => {
        const sim = await simulator({ seed: 31 });
        const t = await testDeps();
        await connector(sim, t).start();
        return script(sim, t, () => undefined);
      })();

      const sim = await simulator({ seed: 31 });
      const t = await testDeps();
      const c = connector(sim, t);
      await c.start();
      const expired = await script(sim, t, async () => {
        sim.expireSessions(errorCode);
        await waitFor(() => expect(sim.stats.subscriptions).toHaveLength(2));
      });

      expect(sim.accountStats.logins).toBe(1);
      expect(sim.stats.subscriptions.map((s) => s.answer)).toEqual(['SUB_IMAGE', 'RESUB_DELTA']);
      expect(expired.books).toEqual(reference.books);
      expect(expired.results).toEqual(reference.results);
      expect(c.status().state).toBe('subscribed');
      // Never halted: the renewal mended it at once.
      expect(t.status.halts).toEqual([]);
      const logs = JSON.stringify(t.logs());
      expect(logs).toContain(errorCode);
      expect(logs).toContain('logged in: new session');
      for (const secret of [sim.password, sim.sessionToken, 'sim-session-1'])
        expect(logs).not.toContain(secret);
    },
  );

  it('is not ready, with one error line, when the expired session cannot be renewed', async () => {
    const sim = await simulator();
    const t = await testDeps();
    const c = connector(sim, t);
    await c.start();
    await waitFor(() => expect(t.publisher.books).toHaveLength(6));
    sim.refuseLogins('INVALID_USERNAME_OR_PASSWORD');
    sim.expireSessions('NO_SESSION');
    await waitFor(() => expect(c.status().state).toBe('failed'));
    expect(t.status.current).toBe(
      'PROVIDER_AUTH_FAILED: betfair: stream: session refused (NO_SESSION) and could not be renewed: login: INVALID_USERNAME_OR_PASSWORD',
    );
    const errors = t.logs().filter((l) => l.level === 'error');
    expect(errors.map((l) => l.msg)).toEqual([`stream stopped, not retrying: ${t.status.current}`]);
    await sleep(200);
    expect(sim.stats.connections).toBe(1);
    expect(sim.accountStats.loginFailures).toBe(1);
  });

  it('is not ready while the login fails for a passing reason, and ready again once it works', async () => {
    const sim = await simulator();
    const t = await testDeps();
    const c = connector(sim, t, { backoff: { initialMs: 20, maxMs: 40 } });
    await c.start();
    await waitFor(() => expect(t.publisher.books).toHaveLength(6));
    sim.refuseLogins('TEMPORARY_BAN_TOO_MANY_REQUESTS');
    sim.expireSessions('INVALID_SESSION_INFORMATION');
    await waitFor(() => expect(t.status.current).toContain('TEMPORARY_BAN_TOO_MANY_REQUESTS'));
    expect(c.status().state).not.toBe('failed');
    await waitFor(() => expect(sim.accountStats.loginFailures).toBeGreaterThanOrEqual(2));
    sim.refuseLogins(undefined);
    await waitFor(() => expect(c.status().state).toBe('subscribed'));
    expect(t.status.current).toBeUndefined();
    expect(sim.stats.subscriptions.at(-1)?.answer).toBe('RESUB_DELTA');
  });

  it('keeps a session alive with keepAlive, so a reconnect needs no login', async () => {
    // Idle sessions end after 2.5 s: kept alive every second, a loaded machine has 1.5 s to spare.
    const sim = await simulator({ sessionIdleMs: 2_500 });
    const t = await testDeps();
    await connector(sim, t, { keepAliveMs: 1_000 }).start();
    await waitFor(() => expect(t.publisher.books).toHaveLength(6));
    await sleep(4_000);
    sim.dropConnections();
    await waitFor(() => expect(sim.stats.subscriptions).toHaveLength(2));
    expect(sim.accountStats.keepAlives).toBeGreaterThanOrEqual(3);
    expect(sim.accountStats.logins).toBe(0);
    expect(sim.stats.authFailures).toBe(0);
  });

  it('logs in at start when given a login and no token', async () => {
    const sim = await simulator();
    const t = await testDeps();
    await connector(sim, t, { sessionToken: undefined }).start();
    await waitFor(() => expect(t.publisher.books).toHaveLength(6));
    expect(sim.accountStats.logins).toBe(1);
    expect(sim.stats.authFailures).toBe(0);
  });
});
