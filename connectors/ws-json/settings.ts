import type { ConnectorSettings } from '../contract.js';

/** ODDSFLOW_CONNECTOR_WS_JSON; a feed's tokens travel in its `headers` or URL, inside the JSON. */
export const wsJsonSettings = {
  config: 'ODDSFLOW_CONNECTOR_WS_JSON',
  credentials: [],
  withCredentials: (raw) => raw,
} as const satisfies ConnectorSettings<'ODDSFLOW_CONNECTOR_WS_JSON', never>;
