import {
  loadConfigOf,
  pickSettings as pickKnownSettings,
  type Config as KernelConfig,
  type Env,
  type SettingsSpec,
} from '../../core/config/load.js';
import { secretSettings, settingsSchema, settingsShape, type Settings } from './settings.js';

/** The application's config: the kernel's, with every component's settings parsed too. */
export type Config = KernelConfig<Settings>;

const spec: SettingsSpec<Settings> = {
  names: new Set(Object.keys(settingsShape)),
  schema: settingsSchema,
  secrets: secretSettings,
};

/** Every setting of the application from the environment (and unknown ODDSFLOW_* names). */
export function pickSettings(env: Env): Record<string, string> {
  return pickKnownSettings(env, spec.names);
}

/** Parses every setting from a file and the environment; throws ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): Config {
  return loadConfigOf(spec, env);
}
