import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { createServer as createTcpServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { createSelfSignedCertificate } from './self-signed.js';
import { SimEngine, type SimChange } from './simulator-engine.js';
import type { SimMarket } from './simulator-market.js';
import { SimSessions, type SimulatorStats } from './simulator-sessions.js';

export type { SimulatorStats, SubscriptionSeen } from './simulator-sessions.js';

export interface BetfairSimulatorOptions {
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
  /** `auto` (default): TLS with a self-signed certificate when openssl is installed, else plain TCP. */
  tls?: 'auto' | 'on' | 'off';
  appKey?: string;
  sessionToken?: string;
  seed?: number;
  markets?: number;
  runnersPerMarket?: number;
  /** Markets are spread over these in turn: 7 horse racing, 4339 greyhounds. */
  eventTypeIds?: readonly string[];
  ladderLevels?: number;
  /** Price changes per second over all markets; 0 (default): only `tick()` moves prices. */
  updatesPerSecond?: number;
  /** Markets live this many of their own ticks, then suspend, go in play, settle and are replaced. */
  marketLifetimeTicks?: number;
  /** Markets per segment of a subscription image, when the client enables segmentation. */
  segmentMarkets?: number;
  /** Changes kept to answer resubscriptions with RESUB_DELTA. */
  historySize?: number;
  /** Publish time of change number `seq`; the wall clock by default. */
  publishTime?: (seq: number) => number;
  /** Betfair closes connections whose first message comes later than this (15 s). */
  firstMessageTimeoutMs?: number;
  /** Write every line in pieces of this many bytes, to exercise the client's reassembly. */
  chunkBytes?: number;
  /** A client this far behind (bytes it has not read) is disconnected. */
  maxBufferedBytes?: number;
}

export interface BetfairSimulator {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** The self-signed certificate (PEM file) to trust when serving TLS. */
  readonly caFile: string | undefined;
  readonly appKey: string;
  readonly sessionToken: string;
  readonly stats: SimulatorStats;
  marketIds(): string[];
  runnerIds(marketId: string): number[];
  /** Publishes `count` price changes now, markets in turn. */
  tick(count?: number): void;
  suspend(marketId: string): void;
  resume(marketId: string, inPlay?: boolean): void;
  /** Scratches a runner (a random one by default). */
  removeRunner(marketId: string, selectionId?: number): void;
  /** Closes a market with these winners (drawn by probability by default). */
  settle(marketId: string, winnerIds?: readonly number[]): void;
  /** Fault: cuts every connection. */
  dropConnections(): void;
  /** Fault: sends a line that is not a valid message to every subscribed client. */
  sendMalformed(line?: string): void;
  /** Fault: every clock issued so far is answered with INVALID_CLOCK. */
  invalidateClocks(): void;
  /** Fault: the current connections receive nothing, heartbeats included, for `ms`. */
  stall(ms: number): void;
  stop(): Promise<void>;
}

/**
 * A local Betfair Exchange Stream server speaking the real protocol over TLS (or TCP), for the
 * demo, tests and benchmarks: simulated racing markets whose prices follow a seeded random walk,
 * suspensions, scratched runners and settlement, clocks that resume subscriptions, and faults.
 */
export async function startBetfairSimulator(
  options: BetfairSimulatorOptions = {},
): Promise<BetfairSimulator> {
  const appKey = options.appKey ?? 'sim-app-key';
  const sessionToken = options.sessionToken ?? 'sim-session-token';
  const publishTime = options.publishTime ?? (() => Date.now());
  const engine = new SimEngine({
    seed: options.seed ?? 1,
    markets: options.markets ?? 4,
    runnersPerMarket: options.runnersPerMarket ?? 8,
    eventTypeIds: options.eventTypeIds ?? ['7', '4339'],
    ladderLevels: options.ladderLevels ?? 3,
    marketLifetimeTicks: options.marketLifetimeTicks,
    historySize: options.historySize ?? 10_000,
    publishTime,
  });
  const sessions = new SimSessions(engine, {
    appKey,
    sessionToken,
    publishTime,
    segmentMarkets: options.segmentMarkets ?? 20,
    firstMessageTimeoutMs: options.firstMessageTimeoutMs ?? 15_000,
    chunkBytes: options.chunkBytes,
    maxBufferedBytes: options.maxBufferedBytes ?? 64 * 1024 * 1024,
  });

  const tlsMode = options.tls ?? 'auto';
  const certificate = tlsMode === 'off' ? undefined : await createSelfSignedCertificate();
  if (tlsMode === 'on' && certificate === undefined)
    throw new Error('openssl is not installed: cannot serve TLS');
  const accept = (socket: Parameters<SimSessions['accept']>[0]) => sessions.accept(socket);
  const server: Server =
    certificate === undefined
      ? createTcpServer(accept)
      : createTlsServer({ key: certificate.key, cert: certificate.cert }, accept);
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('simulator has no TCP address');

  const tick = (count = 1): void => {
    // A tick of a suspended or closed market changes nothing: go on until `count` changed.
    for (let made = 0, tries = 0; made < count && tries < count * 10 + 100; tries++) {
      const change = engine.tick();
      if (change !== undefined) made++;
      sessions.publish(change);
    }
  };
  let ticker: NodeJS.Timeout | undefined;
  const rate = options.updatesPerSecond ?? 0;
  if (rate > 0) {
    let budget = 0;
    let last = performance.now();
    ticker = setInterval(() => {
      const now = performance.now();
      // At most a second's worth at once: a stalled event loop must not set off a burst.
      budget = Math.min(budget + ((now - last) * rate) / 1000, rate);
      last = now;
      const due = Math.floor(budget);
      budget -= due;
      tick(due);
    }, 10);
  }
  const on = (marketId: string, act: (market: SimMarket) => SimChange | undefined): void => {
    const market = engine.market(marketId);
    if (market === undefined) throw new Error(`no simulated market ${marketId}`);
    sessions.publish(act(market));
  };

  return {
    host: address.address,
    port: address.port,
    tls: certificate !== undefined,
    caFile: certificate?.certFile,
    appKey,
    sessionToken,
    stats: sessions.stats,
    marketIds: () => engine.marketIds(),
    runnerIds: (marketId) => engine.market(marketId)?.activeRunnerIds() ?? [],
    tick,
    suspend: (id) => on(id, (m) => engine.record([m.setStatus('SUSPENDED')])),
    resume: (id, inPlay) => on(id, (m) => engine.record([m.setStatus('OPEN', inPlay)])),
    removeRunner: (id, selectionId) => on(id, (m) => engine.record([m.removeRunner(selectionId)])),
    settle: (id, winnerIds) => on(id, (m) => engine.replace(m, winnerIds)),
    dropConnections: () => sessions.dropAll(),
    sendMalformed: (line = '{"op":"mcm","pt":1,"mc":[{"id":') => sessions.sendRaw(line),
    invalidateClocks: () => engine.invalidateClocks(),
    stall: (ms) => sessions.stall(ms),
    stop: async () => {
      clearInterval(ticker);
      sessions.dropAll();
      server.close();
      if (certificate !== undefined) await rm(certificate.dir, { recursive: true, force: true });
    },
  };
}
