import type { ConnectorSettings } from '../contract.js';

/** ODDSFLOW_CONNECTOR_THE_ODDS_API and the API key that goes into it. */
export const theOddsApiSettings = {
  config: 'ODDSFLOW_CONNECTOR_THE_ODDS_API',
  credentials: ['ODDS_API_KEY'],
  withCredentials: (raw, { ODDS_API_KEY: apiKey }) => (apiKey ? { ...raw, apiKey } : raw),
} as const satisfies ConnectorSettings<'ODDSFLOW_CONNECTOR_THE_ODDS_API', 'ODDS_API_KEY'>;
