import { describe, expect, it } from 'vitest';
import { betfairConnector } from '../../../../connectors/betfair/index.js';

const credentials = { appKey: 'key', sessionToken: 'token' };

describe('betfair connector config', () => {
  it('defaults to the live stream over TLS for horse and greyhound WIN/PLACE markets', () => {
    const config = betfairConnector.configSchema.parse(credentials);
    expect(config).toMatchObject({
      host: 'stream-api.betfair.com',
      port: 443,
      tls: true,
      marketFilter: { eventTypeIds: ['7', '4339'], marketTypes: ['WIN', 'PLACE'] },
      priceFields: ['EX_BEST_OFFERS', 'EX_LTP', 'EX_TRADED_VOL'],
      heartbeatMs: 5000,
      segmentationEnabled: true,
      backoff: { initialMs: 500, maxMs: 30_000, factor: 2 },
    });
  });

  it('rejects unknown keys, missing credentials and out-of-range settings, each with its path', () => {
    const result = betfairConnector.configSchema.safeParse({
      appKey: 'key',
      heartbeatMs: 100,
      conflateMs: 200_000,
      marketFilter: { eventTypeIds: ['7'], sport: 'horses' },
      extra: true,
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['heartbeatMs', 'conflateMs', 'marketFilter', '']));
  });

  it('needs a session token or a login, and checks the login method and the API URLs', () => {
    const none = betfairConnector.configSchema.safeParse({ appKey: 'key' });
    expect(none.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['sessionToken', expect.stringContaining('BETFAIR_USERNAME') as string],
    ]);
    const certificate = betfairConnector.configSchema.safeParse({
      appKey: 'key',
      login: { method: 'certificate', username: 'u', password: 'p' },
      bettingUrl: 'ftp://example.com/',
    });
    expect(certificate.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'bettingUrl',
      'login.certFile',
      'login.keyFile',
    ]);
    const interactive = betfairConnector.configSchema.parse({
      appKey: 'key',
      login: { method: 'interactive', username: 'u', password: 'p' },
      identityUrl: 'https://identitysso.betfair.it/api',
    });
    expect(interactive).toMatchObject({
      identityUrl: 'https://identitysso.betfair.it/api/',
      bettingUrl: 'https://api.betfair.com/exchange/betting/rest/v1.0/',
      keepAliveMs: 600_000,
      catalogue: { enabled: true, batchSize: 100 },
    });
    expect(interactive.sessionToken).toBeUndefined();
  });

  it('wants the dead-peer timeout longer than the heartbeat', () => {
    const result = betfairConnector.configSchema.safeParse({
      ...credentials,
      heartbeatMs: 5000,
      deadPeerTimeoutMs: 4000,
    });
    expect(result.error?.issues[0]?.path).toEqual(['deadPeerTimeoutMs']);
  });

  it('allows plain TCP (tls: false) only to a loopback host: the credentials would travel in clear', () => {
    expect(
      betfairConnector.configSchema.safeParse({ ...credentials, host: '127.0.0.1', tls: false }).success,
    ).toBe(true);
    const remote = betfairConnector.configSchema.safeParse({
      ...credentials,
      host: 'simulators',
      tls: false,
    });
    expect(remote.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['tls', 'false is allowed only for a loopback host (a local simulator); anything else needs TLS'],
    ]);
  });
});
