import { z } from 'zod';
import { commaSeparated, jsonObject } from '../src/core/config/settings.js';
import { connectorModules, connectorNames, type ConnectorName } from './registry.js';

type Declared = (typeof connectorModules)[ConnectorName]['settings'];
type ConfigVariable = Declared['config'];
type CredentialVariable = Declared['credentials'][number];

const modules = Object.values(connectorModules);
const credential = z.string().min(1).optional();

/**
 * The connectors' settings (src/app/config/settings.ts adds them to the kernel's): which run,
 * and what each module declares (its JSON config variable and its credentials').
 */
export const connectorSettingsShape = {
  ODDSFLOW_CONNECTORS: commaSeparated.pipe(z.array(z.enum(connectorNames))).default([]),
  ...(Object.fromEntries(modules.map((m) => [m.settings.config, jsonObject.optional()])) as Record<
    ConfigVariable,
    ReturnType<typeof jsonObject.optional>
  >),
  ...(Object.fromEntries(
    modules.flatMap((m) => m.settings.credentials.map((c) => [c, credential])),
  ) as Record<CredentialVariable, typeof credential>),
};

/** Credentials, and the connector JSON that may hold them: never shown in logs or errors. */
export const connectorSecretSettings: readonly string[] = modules.flatMap((m) => [
  ...m.settings.credentials,
  m.settings.config,
]);
