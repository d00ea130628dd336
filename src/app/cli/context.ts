import type { z } from 'zod';
import { loadConfig, pickSettings, type Config } from '../config/load.js';
import { secretSettings } from '../config/settings.js';
import { processSecrets, secretValues } from '../../core/secrets.js';
import { ConfigError, OddsflowError } from '../../core/errors.js';
import { createLogger, type Logger } from '../../core/logger.js';

export interface CommandContext {
  config: Config;
  logger: Logger;
}

/** A line for the person at the terminal (stderr, so stdout stays data-only). */
export function say(line: string): void {
  process.stderr.write(processSecrets.redact(line) + '\n');
}

/**
 * Runs a command with config and logger, and turns any failure into one readable line and an
 * exit code: 2 for bad configuration or usage, 1 for everything else.
 */
export async function runCommand(action: (ctx: CommandContext) => Promise<number | void>): Promise<void> {
  let code: number;
  try {
    // Before parsing, so that not even a refused setting's problem line can show a secret.
    processSecrets.add(secretValues(pickSettings(process.env), secretSettings));
    const config = loadConfig();
    processSecrets.add(secretValues(config.settings, secretSettings));
    const logger = createLogger({ level: config.logLevel });
    code = (await action({ config, logger })) ?? 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      say(`oddsflow: invalid configuration`);
      for (const problem of err.problems) say(`  ${problem}`);
      code = 2;
    } else if (err instanceof OddsflowError) {
      say(`oddsflow: ${err.code}: ${err.message}`);
      code = 1;
    } else {
      say(`oddsflow: ${err instanceof Error ? err.message : String(err)}`);
      if (process.env.ODDSFLOW_LOG_LEVEL === 'debug' && err instanceof Error) say(err.stack ?? '');
      code = 1;
    }
  }
  process.exitCode = code;
}

/** A command's options checked by its schema; a problem names the option (`--out: …`). */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    throw new OddsflowError(
      'CONFIG_INVALID',
      parsed.error.issues.map((i) => `--${kebab(String(i.path[0]))}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}
