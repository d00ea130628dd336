import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, createSimRoutes, route } from './simulator-routes.js';
import { createSimWorld, type SimWorldOptions } from './simulator-world.js';

/** Faults for the next N requests (Infinity: until changed), settable while the server runs. */
export interface SimFaults {
  /** 429 EXCEEDED_FREQ_LIMIT. */
  rateLimit: number;
  /** Retry-After sent with the 429s; null sends none. */
  retryAfterSeconds: number | null;
  /** 500s: Infinity is a provider that is down. */
  serverError: number;
  /** Answers held back by slowMs (longer than the client's timeout makes a timeout). */
  slow: number;
  slowMs: number;
  /** Odds and scores answered 200 with a truncated JSON body. */
  malformed: number;
  /** Connections destroyed without an answer. */
  drop: number;
  /** Every call that costs credits answers 401 OUT_OF_USAGE_CREDITS. */
  quotaExhausted: boolean;
}

const noFaults: SimFaults = {
  rateLimit: 0,
  retryAfterSeconds: 1,
  serverError: 0,
  slow: 0,
  slowMs: 0,
  malformed: 0,
  drop: 0,
  quotaExhausted: false,
};

export interface SimulatorOptions extends Partial<SimWorldOptions> {
  port?: number;
  /** 127.0.0.1 by default; 0.0.0.0 to serve other hosts (a container network). */
  host?: string;
  apiKey?: string;
  /** Usage credits of the period. */
  quota?: number;
  /** How far back the historical endpoint has snapshots (default 7 days). */
  historyDays?: number;
  faults?: Partial<SimFaults>;
}

export interface SimulatorStats {
  requests: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  dropped: number;
  quotaUsed: number;
}

export interface OddsApiSimulator {
  url: string;
  apiKey: string;
  stats: SimulatorStats;
  setFaults(faults: Partial<SimFaults>): void;
  stop(): Promise<void>;
}

/**
 * A local stand-in for The Odds API v4 (https://the-odds-api.com/liveapi/guides/v4/): its routes,
 * apiKey check, error bodies, quota headers and costs (odds: markets × regions; scores: 1, or 2
 * with daysFrom; sports and events: free), over a seeded world of games that start, score and
 * complete. Serves the demo, tests and benchmarks; faults are injected with setFaults.
 */
export async function startOddsApiSimulator(options: SimulatorOptions = {}): Promise<OddsApiSimulator> {
  const apiKey = options.apiKey ?? 'sim-api-key';
  const quota = options.quota ?? 1_000_000;
  const worldOptions = {
    seed: options.seed ?? 42,
    sports: options.sports ?? [
      { key: 'basketball_nba', title: 'NBA', group: 'Basketball' },
      { key: 'soccer_epl', title: 'EPL', group: 'Soccer' },
    ],
    bookmakers: options.bookmakers ?? 6,
    firstStartMs: options.firstStartMs ?? 60_000,
    startSpacingMs: options.startSpacingMs ?? 60_000,
    durationMs: options.durationMs ?? 120_000,
    stepMs: options.stepMs ?? 1_000,
    arbitrageRate: options.arbitrageRate ?? 0,
    absenceRate: options.absenceRate ?? 0,
  };
  const now = options.now ?? Date.now;
  const world = createSimWorld({ ...worldOptions, now });
  // The past, for the historical endpoint: a world of its own that starts `historyDays` ago and
  // is moved to each requested snapshot; asked for an earlier time, it is rebuilt from its start.
  const historyStart = now() - (options.historyDays ?? 7) * 86_400_000;
  let historyClock = historyStart;
  let history = createSimWorld({ ...worldOptions, now: () => historyClock });
  const historyAt = (snapshotMs: number) => {
    if (snapshotMs < historyClock) {
      historyClock = historyStart;
      history = createSimWorld({ ...worldOptions, now: () => historyClock });
    }
    historyClock = Math.max(historyStart, snapshotMs);
    return history;
  };
  let faults: SimFaults = { ...noFaults, ...options.faults };
  const stats: SimulatorStats = { requests: 0, byRoute: {}, byStatus: {}, dropped: 0, quotaUsed: 0 };
  const stopping = new AbortController();

  const answer = createSimRoutes(world, now, historyAt);

  function send(
    res: ServerResponse,
    status: number,
    body: string,
    cost: number,
    headers: Record<string, string> = {},
  ) {
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    if (res.destroyed) return;
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-requests-used': String(stats.quotaUsed),
      'x-requests-remaining': String(Math.max(0, quota - stats.quotaUsed)),
      'x-requests-last': String(cost),
      ...headers,
    });
    res.end(body);
  }

  const errorBody = (errorCode: string, message: string) =>
    JSON.stringify({
      message,
      error_code: errorCode,
      details_url: `https://the-odds-api.com/liveapi/guides/v4/api-error-codes.html#${errorCode.toLowerCase().replaceAll('_', '-')}`,
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++;
    const url = new URL(req.url ?? '/', 'http://simulator');
    const r = route(url.pathname);
    stats.byRoute[r?.kind ?? 'unknown'] = (stats.byRoute[r?.kind ?? 'unknown'] ?? 0) + 1;
    if (faults.drop > 0) {
      faults.drop--;
      stats.dropped++;
      req.socket.destroy();
      return;
    }
    if (faults.slow > 0) {
      faults.slow--;
      await sleep(faults.slowMs, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
    if (faults.rateLimit > 0) {
      faults.rateLimit--;
      const retryAfter: Record<string, string> =
        faults.retryAfterSeconds === null ? {} : { 'retry-after': String(faults.retryAfterSeconds) };
      return send(
        res,
        429,
        errorBody('EXCEEDED_FREQ_LIMIT', 'Requests are being sent too frequently'),
        0,
        retryAfter,
      );
    }
    if (faults.serverError > 0) {
      faults.serverError--;
      return send(res, 500, JSON.stringify({ message: 'Internal server error' }), 0);
    }
    const key = url.searchParams.get('apiKey');
    if (!key) return send(res, 401, errorBody('MISSING_KEY', 'API key is missing'), 0);
    if (key !== apiKey) return send(res, 401, errorBody('INVALID_KEY', 'API key is not valid'), 0);
    if (!r) return send(res, 404, errorBody('NOT_FOUND', 'Not found'), 0);
    try {
      const { body, cost } = answer(r, url.searchParams);
      if (cost > 0 && (faults.quotaExhausted || stats.quotaUsed + cost > quota)) {
        return send(res, 401, errorBody('OUT_OF_USAGE_CREDITS', 'Usage quota has been reached'), 0);
      }
      stats.quotaUsed += cost;
      let text = JSON.stringify(body);
      if (
        faults.malformed > 0 &&
        (r.kind === 'odds' || r.kind === 'scores' || r.kind === 'historical-odds')
      ) {
        faults.malformed--;
        text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      }
      send(res, 200, text, cost);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      send(res, err.status, errorBody(err.errorCode, err.message), 0);
    }
  }

  const server = createServer((req, res) => {
    res.on('error', () => undefined);
    handle(req, res).catch((err: unknown) => {
      send(res, 500, JSON.stringify({ message: err instanceof Error ? err.message : String(err) }), 0);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    stats,
    setFaults(next) {
      faults = { ...faults, ...next };
    },
    async stop() {
      stopping.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
