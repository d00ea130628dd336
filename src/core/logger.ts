import { pino, type Logger, type LevelWithSilent } from 'pino';
import { processSecrets, type Redactor } from './secrets.js';

export type { Logger } from 'pino';

/**
 * Paths whose values never reach a log line. Config objects, HTTP headers and provider
 * credentials are the usual carriers; `*.x` covers one level of nesting, so the deeper
 * shapes we log are listed explicitly.
 */
export const redactPaths = [
  'password',
  '*.password',
  '*.*.password',
  'apiKey',
  '*.apiKey',
  'appKey',
  '*.appKey',
  'sessionToken',
  '*.sessionToken',
  'token',
  '*.token',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-authentication"]',
  '*.headers["x-authentication"]',
  'databaseUrl',
  '*.databaseUrl',
  'redisUrl',
  '*.redisUrl',
  'sasl',
  '*.sasl',
];

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Where JSON lines go; stderr by default so that commands printing data on stdout stay pipeable. */
  destination?: pino.DestinationStream;
  /** Secret values replaced in every line, wherever they appear; the process's by default. */
  secrets?: Redactor;
}

export function createLogger({ level, destination, secrets = processSecrets }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service: 'oddsflow' },
      redact: { paths: redactPaths, censor: '[redacted]' },
      // Key names miss a secret quoted inside a message (an error echoing a URL or a token).
      hooks: { streamWrite: (line) => secrets.redact(line) },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ fd: 2, sync: false }),
  );
}

/** A child per component, so every line says where it came from: `{component, name}`. */
export function componentLogger(logger: Logger, component: string, name?: string): Logger {
  return logger.child(name === undefined ? { component } : { component, name });
}
