import { betfairConnector } from './betfair/index.js';
import type { ConnectorModule } from './contract.js';
import { theOddsApiConnector } from './the-odds-api/index.js';
import { wsJsonConnector } from './ws-json/index.js';

/** Every connector by name; enabled by ODDSFLOW_CONNECTORS. Adding a provider = one line here. */
export const connectorModules = {
  'the-odds-api': theOddsApiConnector,
  betfair: betfairConnector,
  'ws-json': wsJsonConnector,
} as const satisfies Record<string, ConnectorModule>;

export type ConnectorName = keyof typeof connectorModules;

export const connectorNames = Object.keys(connectorModules) as ConnectorName[];
