import { once } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createBettingApi } from '../../../../connectors/betfair/betting-api.js';
import type { HttpsSettings } from '../../../../connectors/betfair/https-post.js';
import { createIdentityClient } from '../../../../connectors/betfair/identity.js';
import { createSelfSignedCertificate } from '../../../../connectors/betfair/self-signed.js';
import { startBetfairSimulator, type BetfairSimulator } from '../../../../connectors/betfair/simulator.js';
import { SessionRejectedError } from '../../../../connectors/betfair/status-errors.js';

async function simulator(tls: 'on' | 'off' = 'off'): Promise<BetfairSimulator> {
  const sim = await startBetfairSimulator({ tls, markets: 4 });
  onTestFinished(() => sim.stop());
  return sim;
}

async function tlsOf(sim: BetfairSimulator): Promise<HttpsSettings> {
  const ca = sim.caFile === undefined ? undefined : await readFile(sim.caFile, 'utf8');
  return { ca, rejectUnauthorized: true, timeoutMs: 2_000 };
}

async function identityOf(sim: BetfairSimulator, appKey = sim.appKey) {
  const answers: string[] = [];
  const client = createIdentityClient(
    { identityUrl: sim.identityUrl, certIdentityUrl: sim.identityUrl },
    appKey,
    await tlsOf(sim),
    (status) => answers.push(status),
  );
  return { client, answers };
}

const credentials = (sim: BetfairSimulator) => ({ username: sim.username, password: sim.password });

describe('Betfair identity client against the simulator', () => {
  it('logs in interactively over HTTPS and keeps the new session alive', async () => {
    const sim = await simulator('on');
    const { client, answers } = await identityOf(sim);
    const token = await client.login(credentials(sim));
    expect(token).toMatch(/^sim-session-/);
    expect(await client.keepAlive(token)).toBe(token);
    expect(sim.accountStats).toMatchObject({ logins: 1, keepAlives: 1 });
    expect(answers).toEqual(['200', '200']);
  });

  it('refuses a wrong password for good, and a ban as a fault that passes, neither with the password in the error', async () => {
    const sim = await simulator();
    const { client } = await identityOf(sim);
    const wrong = await client
      .login({ username: sim.username, password: 'hunter2' })
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', retriable: false });
    expect(String(wrong)).toContain('INVALID_USERNAME_OR_PASSWORD');
    expect(String(wrong)).not.toContain('hunter2');
    sim.refuseLogins('TEMPORARY_BAN_TOO_MANY_REQUESTS');
    await expect(client.login(credentials(sim))).rejects.toMatchObject({
      code: 'PROVIDER_RATE_LIMITED',
      retriable: true,
    });
  });

  it('logs in with a client certificate, and without one is told CERT_AUTH_REQUIRED', async () => {
    const sim = await simulator('on');
    const { client } = await identityOf(sim);
    const cert = await createSelfSignedCertificate();
    if (cert === undefined) throw new Error('openssl is needed for this test');
    onTestFinished(() => rm(cert.dir, { recursive: true, force: true }));
    const tls = await tlsOf(sim);
    const key = await readFile(join(cert.dir, 'key.pem'), 'utf8');
    const token = await client.certLogin(credentials(sim), { ...tls, cert: cert.cert, key });
    expect(token).toMatch(/^sim-session-/);
    await expect(client.certLogin(credentials(sim), tls)).rejects.toMatchObject({
      code: 'PROVIDER_AUTH_FAILED',
      message: expect.stringContaining('CERT_AUTH_REQUIRED') as string,
    });
    expect(sim.accountStats.certLogins).toBe(2);
  });

  it('answers keepAlive of an expired session with SessionRejectedError (NO_SESSION)', async () => {
    const sim = await simulator();
    const { client } = await identityOf(sim);
    sim.expireSessions();
    const error = await client.keepAlive(sim.sessionToken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionRejectedError);
    expect(String(error)).toContain('NO_SESSION');
    expect(String(error)).not.toContain(sim.sessionToken);
  });

  it('turns a connection refused and a server that never answers into retriable errors', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const refused = createIdentityClient(
      { identityUrl: `http://127.0.0.1:${port}/api/`, certIdentityUrl: `http://127.0.0.1:${port}/api/` },
      'key',
      { rejectUnauthorized: true, timeoutMs: 500 },
    );
    await expect(refused.keepAlive('token')).rejects.toMatchObject({
      code: 'PROVIDER_CONNECTION_LOST',
      retriable: true,
    });

    const silent = createHttpServer(() => undefined).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    onTestFinished(() => {
      silent.closeAllConnections();
      silent.close();
    });
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/api/`;
    const slow = createIdentityClient({ identityUrl: url, certIdentityUrl: url }, 'key', {
      rejectUnauthorized: true,
      timeoutMs: 200,
    });
    await expect(slow.login({ username: 'u', password: 'p' })).rejects.toMatchObject({
      code: 'PROVIDER_TIMEOUT',
      retriable: true,
    });
  });
});

/** A local server answering every POST with `status` and `body`, to play Betfair's odd answers. */
async function answering(status: number, body: string): Promise<string> {
  const server = createHttpServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  onTestFinished(() => void server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/exchange/betting/rest/v1.0/`;
}

describe('Betfair Betting API client: listMarketCatalogue', () => {
  it('reads the simulator catalogue: event, venue, market type and runner names of the markets asked for', async () => {
    const sim = await simulator('on');
    const api = createBettingApi(sim.bettingUrl, sim.appKey, await tlsOf(sim));
    const [first, second] = sim.marketIds();
    const answer = await api.listMarketCatalogue(sim.sessionToken, [first!, second!, '1.999']);
    expect(answer.rejected).toEqual([]);
    expect(answer.markets.map((m) => m.marketId)).toEqual([first, second]);
    const market = answer.markets[0]!;
    expect(market).toMatchObject({
      marketName: expect.any(String) as string,
      marketStartTime: expect.any(String) as string,
      description: { marketType: 'WIN', bettingType: 'ODDS', marketBaseRate: expect.any(Number) as number },
      eventType: { id: '7', name: 'Horse Racing' },
      event: {
        venue: 'Ascot',
        countryCode: 'GB',
        name: expect.stringMatching(/^Ascot \d+(st|nd|rd|th) \w{3}$/) as string,
      },
    });
    expect(market.runners?.map((r) => r.selectionId)).toEqual(sim.runnerIds(first!));
    expect(market.runners?.every((r) => r.runnerName.length > 0 && r.handicap === 0)).toBe(true);
  });

  it('refuses an expired session with SessionRejectedError and too many markets with TOO_MUCH_DATA', async () => {
    const sim = await simulator();
    const api = createBettingApi(sim.bettingUrl, sim.appKey, await tlsOf(sim));
    const ids = Array.from({ length: 201 }, (_, i) => `1.${i}`);
    await expect(api.listMarketCatalogue(sim.sessionToken, ids)).rejects.toMatchObject({
      code: 'PROVIDER_REQUEST_REJECTED',
      message: expect.stringContaining('TOO_MUCH_DATA') as string,
    });
    sim.expireSessions();
    const error = await api.listMarketCatalogue(sim.sessionToken, sim.marketIds()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionRejectedError);
    expect(String(error)).toContain('INVALID_SESSION_INFORMATION');
  });

  it('keeps the entries of the documented shape and says why the others were left out', async () => {
    const good = {
      marketId: '1.1',
      marketName: 'R1 1200m Mdn',
      runners: [{ selectionId: 5, runnerName: '1. Fast' }],
    };
    const url = await answering(200, JSON.stringify([good, { marketId: '1.2', runners: 'none' }, 7]));
    const answer = await createBettingApi(url, 'key', {
      rejectUnauthorized: true,
      timeoutMs: 1_000,
    }).listMarketCatalogue('token', ['1.1', '1.2']);
    expect(answer.markets).toEqual([good]);
    expect(answer.rejected.map((r) => [r.index, r.marketId])).toEqual([
      [1, '1.2'],
      [2, undefined],
    ]);
    expect(answer.rejected[0]?.message).toMatch(/marketName|runners/);
  });

  it.each([
    [503, '<html>busy</html>', 'PROVIDER_UNAVAILABLE', true],
    [200, 'not json', 'PROVIDER_PROTOCOL', false],
    [200, '{"an":"object"}', 'PROVIDER_PROTOCOL', false],
    [
      400,
      '{"faultcode":"Client","faultstring":"ANGX-0007","detail":{"APINGException":{"errorCode":"TOO_MANY_REQUESTS","errorDetails":""},"exceptionname":"APINGException"}}',
      'PROVIDER_RATE_LIMITED',
      true,
    ],
    [400, '{"detail":{},"faultcode":"Client","faultstring":"DSC-0008"}', 'PROVIDER_REQUEST_REJECTED', false],
  ] as const)('answers HTTP %i %s with %s', async (status, body, code, retriable) => {
    const url = await answering(status, body);
    const api = createBettingApi(url, 'key', { rejectUnauthorized: true, timeoutMs: 1_000 });
    await expect(api.listMarketCatalogue('token', ['1.1'])).rejects.toMatchObject({ code, retriable });
  });
});
