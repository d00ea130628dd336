import { z } from 'zod';
import { connectorSecretSettings, connectorSettingsShape } from '../../../connectors/settings.js';
import { checkProcessorSettings, processorSettingsShape } from '../../../processors/settings.js';
import { sinkSettingsShape } from '../../../sinks/settings.js';
import {
  checkKernelSettings,
  kernelSecretSettings,
  kernelSettingsShape,
} from '../../core/config/settings.js';

/**
 * Every setting, by the name of its environment variable: the kernel's and each component
 * family's. A config file (ODDSFLOW_CONFIG_FILE, JSON) uses the same names as keys; the
 * environment wins over it. Defaults live with each declaration, so `--help` and the README can
 * be generated from one place.
 */
export const settingsShape = {
  ...kernelSettingsShape,
  ...connectorSettingsShape,
  ...sinkSettingsShape,
  ...processorSettingsShape,
} as const;

/** Settings whose values never appear in logs or error messages. */
export const secretSettings = new Set<string>([...kernelSecretSettings, ...connectorSecretSettings]);

export const settingsSchema = z
  .object(settingsShape)
  .strict()
  .superRefine((s, ctx) => {
    checkKernelSettings(s, ctx);
    checkProcessorSettings(s, ctx);
  });

export type Settings = z.output<typeof settingsSchema>;
