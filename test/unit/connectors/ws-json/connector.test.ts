import { once } from 'node:events';
import { waitFor } from '../../../helpers/wait.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Connector } from '../../../../connectors/contract.js';
import { wsJsonConnector, type WsJsonConfigInput } from '../../../../connectors/ws-json/index.js';
import {
  simulatorFieldMapping,
  simulatorSubscribe,
  startWsSimulator,
  type WsSimulatorOptions,
} from '../../../../connectors/ws-json/simulator.js';
import type { RecordedStatus } from '../../../helpers/connector-status.js';
import { CollectingPublisher, metricValue } from '../../../helpers/connector-deps.js';
import { capturedLogger } from '../../../helpers/logs.js';
import { connectorDeps } from './helpers.js';

async function simulator(options: WsSimulatorOptions = {}) {
  const sim = await startWsSimulator({ seed: 11, messagesPerSecond: 200, ...options });
  onTestFinished(() => sim.stop());
  return sim;
}

function connector(url: string, overrides: Partial<WsJsonConfigInput> = {}) {
  const publisher = new CollectingPublisher();
  const logs = capturedLogger();
  const deps = connectorDeps(publisher, logs.logger);
  const config = wsJsonConnector.configSchema.parse({
    url,
    subscribe: simulatorSubscribe,
    mapping: simulatorFieldMapping,
    // Generous, so that a loaded machine never trips the dead-peer check by accident.
    pingIntervalMs: 500,
    deadPeerTimeoutMs: 5_000,
    backoff: { initialMs: 20, maxMs: 200 },
    ...overrides,
  });
  const running: Connector = wsJsonConnector.create(config, deps);
  onTestFinished(() => running.stop());
  const count = (metric: 'connectorMessages' | 'providerReconnects' | 'providerConnected', labels = {}) =>
    metricValue(deps.metrics[metric], { provider: config.provider, ...labels });
  return { running, publisher, logs, metrics: deps.metrics, count, status: deps.status as RecordedStatus };
}

/** A publisher that takes 5 ms per call: frames queue up behind it. */
function slowDown(publisher: CollectingPublisher): void {
  const publish = publisher.publishBooks.bind(publisher);
  publisher.publishBooks = async (books) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    await publish(books);
  };
}

describe('ws-json connector against the simulator', () => {
  it('subscribes and publishes the books of the subscribed sports only', async () => {
    const sim = await simulator();
    const c = connector(sim.url, {
      provider: 'sim-feed',
      subscribe: [{ op: 'subscribe', sports: ['soccer_epl'] }],
    });
    await c.running.start();
    await waitFor(() => expect(c.publisher.books.length).toBeGreaterThanOrEqual(30));

    expect(new Set(c.publisher.books.map((b) => b.sport))).toEqual(new Set(['soccer_epl']));
    expect(c.publisher.books.every((b) => b.provider === 'sim-feed' && b.selections.length === 3)).toBe(true);
    expect(sim.stats.subscribes).toBe(1);
    expect(await c.count('providerConnected')).toBe(1);
    expect(await c.count('connectorMessages', { outcome: 'ok' })).toBeGreaterThanOrEqual(30);
    // The subscription acknowledgement is valid JSON that carries no odds.
    expect(await c.count('connectorMessages', { outcome: 'ignored' })).toBeGreaterThanOrEqual(1);
    expect(c.publisher.deadLetters).toEqual([]);
  });

  it('reconnects after a dropped connection and subscribes again', async () => {
    const sim = await simulator();
    const c = connector(sim.url);
    await c.running.start();
    await waitFor(() => expect(c.publisher.books.length).toBeGreaterThan(10));

    sim.inject('drop');
    await waitFor(() => expect(sim.stats.subscribes).toBe(2));
    const before = c.publisher.books.length;
    await waitFor(() => expect(c.publisher.books.length).toBeGreaterThan(before + 10));

    expect(sim.stats.connections).toBe(2);
    expect(await c.count('providerReconnects')).toBe(1);
    expect(await c.count('providerConnected')).toBe(1);
    expect(c.logs.messages()).toContain('connection closed');
  });

  it('terminates a silent peer after the dead-peer timeout and recovers when it talks again', async () => {
    const sim = await simulator({ heartbeatMs: 60_000 });
    const c = connector(sim.url, { pingIntervalMs: 100, deadPeerTimeoutMs: 400 });
    await c.running.start();
    await waitFor(() => expect(c.publisher.books.length).toBeGreaterThan(5));

    sim.setFaults({ silent: true });
    await waitFor(() => expect(c.logs.messages()).toContain('no message or pong from the peer: terminating'));
    await waitFor(() => expect(sim.stats.connections).toBeGreaterThanOrEqual(2));
    expect(sim.stats.pings).toBeGreaterThan(0);

    sim.setFaults({ silent: false });
    const before = c.publisher.books.length;
    await waitFor(() => expect(c.publisher.books.length).toBeGreaterThan(before + 10));
    expect(await c.count('providerReconnects')).toBeGreaterThanOrEqual(1);
  });

  it('dead-letters malformed frames and counts oversized ones, and keeps running', async () => {
    const sim = await simulator({ oversizedBytes: 128 * 1024 });
    const c = connector(sim.url, { maxPayload: 64 * 1024 });
    await c.running.start();
    await waitFor(() => expect(c.publisher.books.length).toBeGreaterThan(5));

    sim.inject('malformed');
    sim.inject('invalid');
    await waitFor(() => expect(c.publisher.deadLetters).toHaveLength(2));
    const [truncated, invalid] = c.publisher.deadLetters;
    expect(truncated).toMatchObject({ provider: 'ws-json', reasonCode: 'MALFORMED_JSON' });
    expect(Buffer.isBuffer(truncated?.payload)).toBe(true);
    expect(invalid?.errors).toEqual([expect.objectContaining({ path: '$.event.id', code: 'MISSING_FIELD' })]);
    expect(await c.count('connectorMessages', { outcome: 'malformed' })).toBe(2);
    expect(c.logs.messages()).toContain('malformed frame dead-lettered: MALFORMED_JSON');

    sim.inject('oversized');
    await waitFor(async () => expect(await c.count('connectorMessages', { outcome: 'oversized' })).toBe(1));
    await waitFor(() => expect(sim.stats.subscribes).toBe(2));
    const before = c.publisher.books.length;
    await waitFor(() => expect(c.publisher.books.length).toBeGreaterThan(before + 10));
    expect(c.publisher.deadLetters).toHaveLength(2);
  });

  it('retries a failing publisher without losing or reordering books', async () => {
    const sim = await simulator();
    const c = connector(sim.url);
    c.publisher.failNextBookCalls = 3;
    await c.running.start();
    await waitFor(() => expect(c.publisher.books.length).toBeGreaterThan(20));

    expect(c.logs.messages().filter((m) => m.startsWith('publishing books failed, retrying'))).toHaveLength(
      3,
    );
    const seqs = c.publisher.books.map((b) => (JSON.parse(b.payload) as { seq: number }).seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('pauses the socket while the publisher lags and loses no frame', async () => {
    const sim = await simulator({ messagesPerSecond: 400 });
    const c = connector(sim.url, { maxQueuedFrames: 4 });
    slowDown(c.publisher);
    await c.running.start();
    await waitFor(() => expect(c.publisher.books.length).toBeGreaterThan(60));

    expect(c.logs.messages()).toContain('handler behind: socket paused');
    expect(c.logs.messages()).toContain('handler caught up: socket resumed');
    const seqs = c.publisher.books.map((b) => (JSON.parse(b.payload) as { seq: number }).seq);
    // One subscriber to every sport receives every message from its first on: no gap, no reordering.
    expect(seqs.slice(1).every((seq, i) => seq === (seqs[i] ?? NaN) + 1)).toBe(true);
    expect(sim.stats.connections).toBe(1);
  });

  it('pauses the socket on queued bytes too, however few the frames', async () => {
    const sim = await simulator({ messagesPerSecond: 400 });
    const c = connector(sim.url, { maxQueuedFrames: 1_000, maxQueuedBytes: 2_000 });
    slowDown(c.publisher);
    await c.running.start();
    await waitFor(() => expect(c.publisher.books.length).toBeGreaterThan(60));

    const paused = c.logs.lines.find((l) => l.msg === 'handler behind: socket paused');
    expect(paused?.queued).toBeLessThan(1_000);
    expect(paused?.bytes).toBeGreaterThanOrEqual(2_000);
    expect(c.logs.messages()).toContain('handler caught up: socket resumed');
  });

  it('logs its URL with the query masked (tokens travel there)', async () => {
    const sim = await simulator();
    const c = connector(`${sim.url}?token=sk-feed-9f8e7d`);
    await c.running.start();
    await waitFor(() => expect(c.logs.messages()).toContain('connected and subscribed'));
    expect(JSON.stringify(c.logs.lines)).not.toContain('sk-feed-9f8e7d');
    expect(c.logs.lines.find((l) => l.msg === 'connected and subscribed')?.url).toMatch(/\?token=\*\*\*$/);
    expect(c.status.halts).toEqual([]);
  });

  it('stops cleanly: socket closed, gauge down, no reconnect', async () => {
    const sim = await simulator();
    const c = connector(sim.url);
    await c.running.start();
    await waitFor(() => expect(sim.stats.open).toBe(1));
    await c.running.stop();

    await waitFor(() => expect(sim.stats.open).toBe(0));
    expect(await c.count('providerConnected')).toBe(0);
    expect(await c.count('providerReconnects')).toBe(0);
    expect(sim.stats.connections).toBe(1);
  });

  it('stops, saying why, when the server refuses the handshake: retrying cannot fix it', async () => {
    const server = createServer();
    let upgrades = 0;
    server.on('upgrade', (_req, socket) => {
      upgrades++;
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const c = connector(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/feed`);
    await c.running.start();

    // A refused login needs a person: the role's /readyz and oddsflow_provider_halted say so.
    await waitFor(() =>
      expect(c.status.current).toBe('PROVIDER_AUTH_FAILED: ws-json: handshake answered HTTP 401'),
    );
    expect(c.logs.messages().filter((m) => m.startsWith('stream stopped, not retrying'))).toEqual([
      'stream stopped, not retrying: PROVIDER_AUTH_FAILED: ws-json: handshake answered HTTP 401',
    ]);
    expect(c.logs.messages().some((m) => m.startsWith('reconnecting'))).toBe(false);
    expect(upgrades).toBe(1);
  });
});

describe('wsJsonConnector.configSchema', () => {
  const base = { url: 'wss://feed.example/odds', mapping: simulatorFieldMapping };

  it('applies defaults', () => {
    const config = wsJsonConnector.configSchema.parse(base);
    expect(config).toMatchObject({
      provider: 'ws-json',
      subscribe: [],
      headers: {},
      pingIntervalMs: 15_000,
      deadPeerTimeoutMs: 45_000,
      maxPayload: 1024 * 1024,
      backoff: { initialMs: 500, maxMs: 30_000, factor: 2 },
    });
  });

  it.each([
    [{ colour: 'red' }, '', 'Unrecognized key'],
    [{ url: 'https://feed.example/odds' }, 'url', 'ws:// or wss://'],
    [{ pingIntervalMs: 5_000, deadPeerTimeoutMs: 5_000 }, 'deadPeerTimeoutMs', 'longer than pingIntervalMs'],
    [{ backoff: { initialMs: 1_000, maxMs: 10 } }, 'backoff.maxMs', 'at least'],
    [{ provider: 'My Feed' }, 'provider', 'lower-case'],
  ])('rejects %j at "%s"', (override, path, message) => {
    const result = wsJsonConnector.configSchema.safeParse({ ...base, ...override });
    const issues = result.error?.issues ?? [];
    expect(issues.map((i) => i.path.join('.'))).toEqual([path]);
    expect(issues[0]?.message).toContain(message);
  });
});
