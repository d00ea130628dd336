import { z } from 'zod';
import { commaSeparated, jsonObject } from '../src/core/config/settings.js';
import { connectorNames } from './registry.js';

/** The connectors' settings (src/app/config/settings.ts adds them to the kernel's). */
export const connectorSettingsShape = {
  ODDSFLOW_CONNECTORS: commaSeparated.pipe(z.array(z.enum(connectorNames))).default([]),
  ODDSFLOW_CONNECTOR_THE_ODDS_API: jsonObject.optional(),
  ODDSFLOW_CONNECTOR_WS_JSON: jsonObject.optional(),
  ODDSFLOW_CONNECTOR_BETFAIR: jsonObject.optional(),
  ODDS_API_KEY: z.string().min(1).optional(),
  BETFAIR_APP_KEY: z.string().min(1).optional(),
  BETFAIR_SESSION_TOKEN: z.string().min(1).optional(),
  BETFAIR_USERNAME: z.string().min(1).optional(),
  BETFAIR_PASSWORD: z.string().min(1).optional(),
} as const;

/** Credentials, and the connector JSON that may hold them: never shown in logs or errors. */
export const connectorSecretSettings = [
  'ODDS_API_KEY',
  'BETFAIR_APP_KEY',
  'BETFAIR_SESSION_TOKEN',
  'BETFAIR_USERNAME',
  'BETFAIR_PASSWORD',
  'ODDSFLOW_CONNECTOR_THE_ODDS_API',
  'ODDSFLOW_CONNECTOR_WS_JSON',
  'ODDSFLOW_CONNECTOR_BETFAIR',
] as const satisfies readonly (keyof typeof connectorSettingsShape)[];
