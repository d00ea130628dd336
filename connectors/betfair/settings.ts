import type { ConnectorSettings } from '../contract.js';

const credentials = [
  'BETFAIR_APP_KEY',
  'BETFAIR_SESSION_TOKEN',
  'BETFAIR_USERNAME',
  'BETFAIR_PASSWORD',
] as const;

/** ODDSFLOW_CONNECTOR_BETFAIR and the credentials that go into it. */
export const betfairSettings = {
  config: 'ODDSFLOW_CONNECTOR_BETFAIR',
  credentials,
  withCredentials(raw, { BETFAIR_USERNAME: username, BETFAIR_PASSWORD: password, ...tokens }) {
    const login = raw.login as Record<string, unknown> | undefined;
    // The login method (and certificate files) may sit in the JSON, its credentials here; with
    // credentials alone the login is interactive.
    const withLogin =
      username || password
        ? {
            login: {
              method: 'interactive',
              ...login,
              ...(username ? { username } : {}),
              ...(password ? { password } : {}),
            },
          }
        : {};
    return {
      ...raw,
      ...withLogin,
      ...(tokens.BETFAIR_APP_KEY ? { appKey: tokens.BETFAIR_APP_KEY } : {}),
      ...(tokens.BETFAIR_SESSION_TOKEN ? { sessionToken: tokens.BETFAIR_SESSION_TOKEN } : {}),
    };
  },
} as const satisfies ConnectorSettings<'ODDSFLOW_CONNECTOR_BETFAIR', (typeof credentials)[number]>;
