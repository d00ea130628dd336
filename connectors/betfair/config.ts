import { z } from 'zod';
import { isLoopbackHost } from '../../src/core/config/loopback.js';
import { streamBackoffSchema } from '../runtime/backoff-config.js';
import { priceFields } from './requests.js';

const ids = z.array(z.string().min(1)).min(1);

/** An http(s) URL used as a base for relative paths, so always ending in `/`. */
const baseUrl = z
  .url({ protocol: /^https?$/, error: 'an https:// (or, for a simulator, http://) URL' })
  .transform((url) => (url.endsWith('/') ? url : `${url}/`));

export const betfairConfigSchema = z
  .strictObject({
    host: z.string().min(1).default('stream-api.betfair.com'),
    port: z.int().min(1).max(65_535).default(443),
    /** Betfair refuses anything but TLS; `false` is for a simulator on a loopback host only. */
    tls: z.boolean().default(true),
    /** PEM file of an extra CA to trust (a simulator's self-signed certificate). */
    caFile: z.string().min(1).optional(),
    rejectUnauthorized: z.boolean().default(true),
    appKey: z.string().min(1),
    /**
     * A token from an earlier login, used until Betfair refuses it. Without it the connector logs
     * in at start; without `login` too it cannot renew an expired session.
     */
    sessionToken: z.string().min(1).optional(),
    /** How to log in again when the session has expired (and at start without a sessionToken). */
    login: z
      .discriminatedUnion('method', [
        z.strictObject({
          method: z.literal('interactive'),
          username: z.string().min(1),
          password: z.string().min(1),
        }),
        z.strictObject({
          /** Non-interactive (bot) login with a client certificate registered with Betfair. */
          method: z.literal('certificate'),
          username: z.string().min(1),
          password: z.string().min(1),
          /** PEM files of the client certificate and its key. */
          certFile: z.string().min(1),
          keyFile: z.string().min(1),
        }),
      ])
      .optional(),
    // Per jurisdiction: .com by default; https://docs.developer.betfair.com/ lists .it, .es, .ro, .com.au.
    identityUrl: baseUrl.default('https://identitysso.betfair.com/api/'),
    certIdentityUrl: baseUrl.default('https://identitysso-cert.betfair.com/api/'),
    bettingUrl: baseUrl.default('https://api.betfair.com/exchange/betting/rest/v1.0/'),
    /**
     * Time between two keepAlive calls. Sessions expire after 20 min idle on the Italian and
     * Spanish exchanges and after hours on .com; 10 min keeps either alive with a retry to spare.
     */
    keepAliveMs: z.int().min(1_000).default(600_000),
    /** Timeout of one identity or Betting API call. */
    httpTimeoutMs: z.int().positive().default(10_000),
    /** Names (event, market, runners) from listMarketCatalogue for the markets on the stream. */
    catalogue: z
      .strictObject({
        enabled: z.boolean().default(true),
        maxMarkets: z.int().positive().default(20_000),
        // MARKET_DESCRIPTION weighs 1 per market, and a call may weigh 200 at most.
        batchSize: z.int().min(1).max(200).default(100),
        waitMs: z.int().min(0).default(5_000),
        retryMs: z.int().positive().default(60_000),
        minIntervalMs: z.int().min(0).default(200),
      })
      .prefault({}),
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
    /** Characters of received lines waiting to be handled before the socket is paused. */
    maxQueuedBytes: z
      .int()
      .positive()
      .default(64 * 1024 * 1024),
    /** Least time between two writes of the resume state (clocks and cache) to `stateDir`. */
    stateFlushMs: z.int().min(0).default(5_000),
    backoff: streamBackoffSchema,
  })
  .refine((c) => c.deadPeerTimeoutMs === undefined || c.deadPeerTimeoutMs > c.heartbeatMs, {
    path: ['deadPeerTimeoutMs'],
    message: 'must be longer than heartbeatMs, or a healthy but quiet stream is dropped',
  })
  .refine((c) => c.sessionToken !== undefined || c.login !== undefined, {
    path: ['sessionToken'],
    message:
      'give a sessionToken (BETFAIR_SESSION_TOKEN), a login (BETFAIR_USERNAME, BETFAIR_PASSWORD), or both',
  })
  // The app key and session token travel in the first message: in clear, only over loopback.
  .refine((c) => c.tls || isLoopbackHost(c.host), {
    path: ['tls'],
    message: 'false is allowed only for a loopback host (a local simulator); anything else needs TLS',
  });

export type BetfairConfig = z.output<typeof betfairConfigSchema>;
export type BetfairConfigInput = z.input<typeof betfairConfigSchema>;
