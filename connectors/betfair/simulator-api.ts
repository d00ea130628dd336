import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { catalogueProjection, listMarketCatalogueRequestSchema } from './betting-api.js';
import type { SimAccounts } from './simulator-accounts.js';
import type { SimEngine } from './simulator-engine.js';

/** Paths under the simulator's HTTP(S) root, as on Betfair's hosts. */
export const simApiPaths = {
  identity: '/api/',
  betting: '/exchange/betting/rest/v1.0/',
} as const;

// Betfair's request limit for listMarketCatalogue: the sum of the projections' weights times the
// markets asked for stays within 200 (MARKET_DESCRIPTION and RUNNER_METADATA weigh 1).
const projectionWeights: Record<string, number> = { MARKET_DESCRIPTION: 1, RUNNER_METADATA: 1 };
const maxWeight = 200;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** The REST transport's error body for an APINGException. */
function apingError(res: ServerResponse, errorCode: string): void {
  json(res, 400, {
    faultcode: 'Client',
    faultstring: 'ANGX-0003',
    detail: {
      APINGException: { requestUUID: 'sim', errorCode, errorDetails: '' },
      exceptionname: 'APINGException',
    },
  });
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

function hasClientCertificate(req: IncomingMessage): boolean {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return false;
  return Object.keys(socket.getPeerCertificate()).length > 0;
}

/**
 * Betfair's identity endpoints (login, certlogin, keepAlive) and the Betting API's
 * listMarketCatalogue, answering as Betfair documents them, for the simulator's HTTP(S) server.
 */
export function simApiHandler(accounts: SimAccounts, engine: SimEngine) {
  const { appKey } = accounts.settings;
  const identity = async (req: IncomingMessage, res: ServerResponse, call: string) => {
    const form = new URLSearchParams(await readBody(req));
    if (call === 'keepAlive') {
      const token = header(req, 'x-authentication');
      const ok = accounts.keepAlive(token);
      return json(res, 200, {
        token: ok ? token : '',
        product: header(req, 'x-application') ?? '',
        status: ok ? 'SUCCESS' : 'FAIL',
        error: ok ? '' : 'NO_SESSION',
      });
    }
    const appKeyError = header(req, 'x-application') === appKey ? undefined : 'INVALID_APP_KEY';
    if (call === 'certlogin') {
      accounts.stats.certLogins++;
      const answer = hasClientCertificate(req)
        ? accounts.login(form.get('username'), form.get('password'))
        : { error: 'CERT_AUTH_REQUIRED' };
      const error = appKeyError ?? ('error' in answer ? answer.error : undefined);
      return json(
        res,
        200,
        error === undefined && 'token' in answer
          ? { sessionToken: answer.token, loginStatus: 'SUCCESS' }
          : { loginStatus: error },
      );
    }
    accounts.stats.logins++;
    const answer = accounts.login(form.get('username'), form.get('password'));
    const error = appKeyError ?? ('error' in answer ? answer.error : undefined);
    return json(
      res,
      200,
      error === undefined && 'token' in answer
        ? { token: answer.token, product: appKey, status: 'SUCCESS', error: '' }
        : { token: '', product: appKey, status: 'FAIL', error },
    );
  };

  const catalogue = async (req: IncomingMessage, res: ServerResponse) => {
    accounts.stats.catalogueRequests++;
    if (header(req, 'x-application') !== appKey) return apingError(res, 'INVALID_APP_KEY');
    if (!accounts.isValid(header(req, 'x-authentication')))
      return apingError(res, 'INVALID_SESSION_INFORMATION');
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return json(res, 400, { detail: {}, faultcode: 'Client', faultstring: 'DSC-0008' });
    }
    const parsed = listMarketCatalogueRequestSchema.safeParse(body);
    if (!parsed.success) return apingError(res, 'INVALID_INPUT_DATA');
    const { filter, marketProjection = [], maxResults } = parsed.data;
    if (
      marketProjection.some(
        (p) => !(catalogueProjection as readonly string[]).includes(p) && p !== 'RUNNER_METADATA',
      )
    ) {
      return apingError(res, 'INVALID_INPUT_DATA');
    }
    const weight = marketProjection.reduce((sum, p) => sum + (projectionWeights[p] ?? 0), 0);
    if (weight * maxResults > maxWeight) return apingError(res, 'TOO_MUCH_DATA');
    const ids = filter.marketIds ?? engine.marketIds();
    return json(res, 200, engine.catalogue(ids).slice(0, maxResults));
  };

  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = (): Promise<void> | void => {
      if (req.method !== 'POST') return json(res, 405, { error: 'POST only' });
      if (path.startsWith(simApiPaths.identity)) {
        const call = path.slice(simApiPaths.identity.length);
        if (call === 'login' || call === 'certlogin' || call === 'keepAlive') return identity(req, res, call);
      }
      if (path === `${simApiPaths.betting}listMarketCatalogue/`) return catalogue(req, res);
      json(res, 404, { error: `no such endpoint: ${path}` });
    };
    void Promise.resolve(route()).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String(err) });
    });
  };
}
