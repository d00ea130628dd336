import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { RaceCard } from '../../src/core/sim/race-card.js';
import { startPacer } from '../../src/core/sim/pacer.js';
import { createSelfSignedCertificate } from './self-signed.js';
import { SimAccounts, type SimAccountStats } from './simulator-accounts.js';
import { simApiHandler, simApiPaths } from './simulator-api.js';
import { SimEngine, type SimChange } from './simulator-engine.js';
import type { SimMarket } from './simulator-market.js';
import { SimSessions, type SimulatorStats } from './simulator-sessions.js';

export type { SimulatorStats, SubscriptionSeen } from './simulator-sessions.js';
export type { SimAccountStats } from './simulator-accounts.js';

export interface BetfairSimulatorOptions {
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
  /** Port of the identity and Betting API endpoints (HTTPS, or HTTP without TLS); 0 (default): a free one. */
  apiPort?: number;
  /** `auto` (default): TLS with a self-signed certificate when openssl is installed, else plain TCP. */
  tls?: 'auto' | 'on' | 'off';
  appKey?: string;
  /** Valid from the start, until it expires or is ended with expireSessions(). */
  sessionToken?: string;
  /** The account's login (api/login and api/certlogin). */
  username?: string;
  password?: string;
  /** A session not kept alive for this long expires; never by default. */
  sessionIdleMs?: number;
  /** The horse races its markets are on; share one with another simulator to quote the same races. */
  raceCard?: RaceCard;
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
  readonly username: string;
  readonly password: string;
  /** Base of the identity endpoints (…/api/): login, certlogin, keepAlive. */
  readonly identityUrl: string;
  /** Base of the Betting API's REST endpoints (…/exchange/betting/rest/v1.0/). */
  readonly bettingUrl: string;
  readonly stats: SimulatorStats;
  readonly accountStats: SimAccountStats;
  /**
   * Connector settings (ODDSFLOW_CONNECTOR_BETFAIR) that reach this simulator from `host`, with
   * an interactive login so that an expired session is renewed.
   */
  connectorConfig(host?: string): Record<string, unknown>;
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
  /**
   * Fault: every session ends now; authenticated stream connections are told so with this
   * status error code and closed, and keepAlive, the Betting API and the stream refuse the tokens.
   */
  expireSessions(errorCode?: 'NO_SESSION' | 'INVALID_SESSION_INFORMATION'): void;
  /** Fault: every login is refused with this Betfair error code (undefined: logins work again). */
  refuseLogins(errorCode: string | undefined): void;
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
  const username = options.username ?? 'sim-user';
  const password = options.password ?? 'sim-password';
  const publishTime = options.publishTime ?? (() => Date.now());
  const accounts = new SimAccounts({
    appKey,
    username,
    password,
    initialToken: sessionToken,
    sessionIdleMs: options.sessionIdleMs,
  });
  const engine = new SimEngine({
    raceCard: options.raceCard,
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
    accounts,
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
  // The identity endpoints ask for a client certificate (certlogin needs one) but accept any:
  // the simulator checks that one was presented, not who issued it.
  const handler = simApiHandler(accounts, engine);
  const api =
    certificate === undefined
      ? createHttpServer(handler)
      : createHttpsServer(
          { key: certificate.key, cert: certificate.cert, requestCert: true, rejectUnauthorized: false },
          handler,
        );
  const listenHost = options.host ?? '127.0.0.1';
  server.listen(options.port ?? 0, listenHost);
  api.listen(options.apiPort ?? 0, listenHost);
  await Promise.all([once(server, 'listening'), once(api, 'listening')]);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('simulator has no TCP address');
  const apiPort = (api.address() as AddressInfo).port;
  const apiRoot = (host: string) => `${certificate === undefined ? 'http' : 'https'}://${host}:${apiPort}`;

  const tick = (count = 1): void => {
    // A tick of a suspended or closed market changes nothing: go on until `count` changed.
    for (let made = 0, tries = 0; made < count && tries < count * 10 + 100; tries++) {
      const change = engine.tick();
      if (change !== undefined) made++;
      sessions.publish(change);
    }
  };
  const rate = options.updatesPerSecond ?? 0;
  const pacer = rate > 0 ? startPacer(tick, rate) : undefined;
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
    username,
    password,
    identityUrl: `${apiRoot(address.address)}${simApiPaths.identity}`,
    bettingUrl: `${apiRoot(address.address)}${simApiPaths.betting}`,
    stats: sessions.stats,
    accountStats: accounts.stats,
    connectorConfig: (host = address.address) => ({
      host,
      port: address.port,
      tls: certificate !== undefined,
      ...(certificate !== undefined ? { caFile: certificate.certFile } : {}),
      appKey,
      sessionToken,
      login: { method: 'interactive', username, password },
      identityUrl: `${apiRoot(host)}${simApiPaths.identity}`,
      certIdentityUrl: `${apiRoot(host)}${simApiPaths.identity}`,
      bettingUrl: `${apiRoot(host)}${simApiPaths.betting}`,
    }),
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
    expireSessions: (errorCode = 'NO_SESSION') => {
      accounts.expireAll();
      sessions.endAuthenticated(errorCode);
    },
    refuseLogins: (errorCode) => {
      accounts.loginError = errorCode;
    },
    stop: async () => {
      pacer?.stop();
      sessions.dropAll();
      server.close();
      api.closeAllConnections();
      api.close();
      if (certificate !== undefined) await rm(certificate.dir, { recursive: true, force: true });
    },
  };
}
