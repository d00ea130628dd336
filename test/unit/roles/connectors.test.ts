import { describe, expect, it } from 'vitest';
import { settingsSchema } from '../../../src/app/config/settings.js';
import { ConnectorStatusBoard } from '../../../src/app/roles/connector-status.js';
import { resolveConnectorConfigs } from '../../../src/app/roles/connectors.js';

const betfairSettings = (env: Record<string, string>) =>
  settingsSchema.parse({ ODDSFLOW_CONNECTORS: 'betfair', ...env });

describe('Betfair credentials from their own variables', () => {
  it('make an interactive login of BETFAIR_USERNAME and BETFAIR_PASSWORD', () => {
    const [betfair] = resolveConnectorConfigs(
      betfairSettings({ BETFAIR_APP_KEY: 'key', BETFAIR_USERNAME: 'trader', BETFAIR_PASSWORD: 'secret' }),
    );
    expect(betfair?.config).toMatchObject({
      appKey: 'key',
      login: { method: 'interactive', username: 'trader', password: 'secret' },
    });
  });

  it('fill the credentials of a certificate login given in the JSON', () => {
    const [betfair] = resolveConnectorConfigs(
      betfairSettings({
        ODDSFLOW_CONNECTOR_BETFAIR: JSON.stringify({
          appKey: 'key',
          login: { method: 'certificate', certFile: '/certs/client.crt', keyFile: '/certs/client.key' },
        }),
        BETFAIR_USERNAME: 'trader',
        BETFAIR_PASSWORD: 'secret',
      }),
    );
    expect(betfair?.config).toMatchObject({
      login: { method: 'certificate', username: 'trader', password: 'secret', certFile: '/certs/client.crt' },
    });
  });

  it('say which setting is missing when there is neither a token nor a login', () => {
    expect(() => resolveConnectorConfigs(betfairSettings({ BETFAIR_APP_KEY: 'key' }))).toThrow(
      /ODDSFLOW_CONNECTOR_BETFAIR\.sessionToken: give a sessionToken \(BETFAIR_SESSION_TOKEN\), a login/,
    );
  });
});

describe('connector status board', () => {
  it('is not ready while a connector is halted, with its line, and ready once it runs again', async () => {
    const board = new ConnectorStatusBoard();
    const betfair = board.statusOf('betfair');
    const ws = board.statusOf('ws-json');
    await expect(board.check()).resolves.toBeUndefined();
    betfair.halted('session expired and could not be renewed');
    ws.halted('gone');
    await expect(board.check()).rejects.toThrow(
      'betfair: session expired and could not be renewed; ws-json: gone',
    );
    betfair.running();
    ws.running();
    await expect(board.check()).resolves.toBeUndefined();
  });
});
