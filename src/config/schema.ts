import { hostname } from 'node:os';
import { z } from 'zod';
import { connectorNames } from '../../connectors/registry.js';
import { commissionTableSchema, defaultCommissionTable } from '../../processors/enrich/commission.js';
import { marginMethods } from '../../processors/enrich/margin-methods.js';
import { hostOf, isLoopbackHost } from './loopback.js';

const hostPort = z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'expected host:port');

const hostPortList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  )
  .pipe(z.array(hostPort).min(1, 'expected at least one host:port'));

const port = z.coerce.number().int().min(1).max(65535);
const interval = z
  .string()
  .regex(/^\d+ (second|minute|hour|day|week|month|year)s?$/, 'an interval such as "7 days", or never');

/** A JSON object given as a string (environment) or inline (config file); checked in full later by its component's schema. */
const jsonObject = z.string().transform((text, ctx): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
    ctx.addIssue({ code: 'custom', message: 'expected a JSON object' });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not JSON (${jsonSyntaxWhere(err)})` });
  }
  return z.NEVER;
});

/**
 * Where JSON.parse stopped, without its message: V8 quotes the input around the error ("…"abc…"
 * is not valid JSON"), and these settings hold API keys and tokens.
 */
export function jsonSyntaxWhere(err: unknown): string {
  const position = /position (\d+)/.exec(String((err as Error | undefined)?.message))?.[1];
  return position === undefined ? 'a syntax error' : `a syntax error at character ${position}`;
}
const positiveInt = z.coerce.number().int().min(1);
const bool = z.stringbool({ truthy: ['true', '1', 'yes', 'on'], falsy: ['false', '0', 'no', 'off'] });

/**
 * Every setting, by the name of its environment variable. A config file
 * (ODDSFLOW_CONFIG_FILE, JSON) uses the same names as keys; the environment wins over it.
 * Defaults live here, so `--help` and the README can be generated from one place.
 */
export const settingsShape = {
  ODDSFLOW_CONFIG_FILE: z.string().optional(),
  ODDSFLOW_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ODDSFLOW_STACK_DIR: z.string().optional(),

  KAFKA_BROKERS: hostPortList.optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('oddsflow'),
  KAFKA_SSL: bool.default(false),
  KAFKA_SSL_CA_FILE: z.string().optional(),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  KAFKA_SASL_ALLOW_PLAINTEXT: bool.default(false),

  SCHEMA_REGISTRY_URL: z.url().optional(),
  SCHEMA_REGISTRY_USERNAME: z.string().optional(),
  SCHEMA_REGISTRY_PASSWORD: z.string().optional(),

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
    .optional(),

  ODDSFLOW_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'only letters, digits, dot, underscore and dash')
    .default(''),
  ODDSFLOW_TOPIC_PARTITIONS: positiveInt.max(1000).default(6),
  ODDSFLOW_TOPIC_REPLICATION_FACTOR: z.literal('auto').or(positiveInt.max(10)).default('auto'),

  ODDSFLOW_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'only letters, digits, dot, underscore and dash')
    .default(hostname().replace(/[^A-Za-z0-9._-]/g, '-')),
  ODDSFLOW_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  ODDSFLOW_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  ODDSFLOW_READY_CHECK_TIMEOUT_MS: positiveInt.max(60_000).default(2_000),
  ODDSFLOW_READY_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
  ODDSFLOW_STOP_TIMEOUT_S: positiveInt.max(3_600).default(30),
  ODDSFLOW_HOLD_BACKOFF_MAX_S: positiveInt.max(3_600).default(30),
  ODDSFLOW_MAX_RECORD_BYTES: positiveInt
    .min(512 * 1024)
    .max(100 * 1024 * 1024)
    .default(1_000_000),

  ODDSFLOW_STATE_DIR: z.string().optional(),
  ODDSFLOW_CONNECTORS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    )
    .pipe(z.array(z.enum(connectorNames)))
    .default([]),
  ODDSFLOW_CONNECTOR_THE_ODDS_API: jsonObject.optional(),
  ODDSFLOW_CONNECTOR_WS_JSON: jsonObject.optional(),
  ODDSFLOW_CONNECTOR_BETFAIR: jsonObject.optional(),
  ODDS_API_KEY: z.string().min(1).optional(),
  BETFAIR_APP_KEY: z.string().min(1).optional(),
  BETFAIR_SESSION_TOKEN: z.string().min(1).optional(),
  BETFAIR_USERNAME: z.string().min(1).optional(),
  BETFAIR_PASSWORD: z.string().min(1).optional(),

  ODDSFLOW_SINKS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    )
    .pipe(z.array(z.enum(['timescale', 'redis'])).min(1, 'name at least one sink'))
    .default(['timescale', 'redis']),
  ODDSFLOW_SINK_BATCH_RECORDS: positiveInt.max(50_000).default(1000),
  ODDSFLOW_SINK_WRITE_TIMEOUT_S: positiveInt.max(3_600).default(60),
  ODDSFLOW_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier')
    .default('public'),
  ODDSFLOW_DB_POOL_MAX: positiveInt.max(100).default(4),
  ODDSFLOW_DB_QUERY_TIMEOUT_MS: positiveInt.min(100).default(30_000),
  ODDSFLOW_TIMESCALE: z.enum(['auto', 'off']).default('auto'),
  ODDSFLOW_COMPRESS_AFTER: interval.or(z.literal('never')).default('7 days'),
  ODDSFLOW_RETENTION: interval.or(z.literal('never')).default('2 years'),
  ODDSFLOW_REDIS_KEY_PREFIX: z.string().default('oddsflow:'),
  ODDSFLOW_REDIS_TTL_AFTER_START_S: positiveInt.default(12 * 3600),

  ODDSFLOW_MARGIN_METHOD: z.enum(marginMethods).default('multiplicative'),
  ODDSFLOW_ODDS_MIN: z.coerce.number().min(1).default(1.01),
  ODDSFLOW_ODDS_MAX: z.coerce.number().min(1).default(1000),
  ODDSFLOW_START_WINDOW_AHEAD_DAYS: z.coerce.number().min(0).default(400),
  ODDSFLOW_START_WINDOW_AFTER_HOURS: z.coerce.number().min(0).default(168),
  ODDSFLOW_RACING_EVENT_KEY: z.enum(['start-time', 'race-number']).default('start-time'),
  ODDSFLOW_TEAM_ALIASES_FILE: z.string().optional(),
  ODDSFLOW_VENUE_ALIASES_FILE: z.string().optional(),
  ODDSFLOW_SELECTION_ALIASES_FILE: z.string().optional(),
  ODDSFLOW_EVENT_START_TOLERANCE_MINUTES: z.coerce.number().min(0).max(720).default(60),
  ODDSFLOW_QUOTE_MAX_AGE_PRE_MATCH_S: z.coerce.number().positive().default(3600),
  ODDSFLOW_QUOTE_MAX_AGE_IN_PLAY_S: z.coerce.number().positive().default(90),
  ODDSFLOW_QUOTE_FUTURE_TOLERANCE_S: z.coerce.number().min(0).default(10),
  ODDSFLOW_COMMISSION: commissionTableSchema.default(() =>
    commissionTableSchema.parse(defaultCommissionTable),
  ),
  ODDSFLOW_TRANSACTION_MAX_RECORDS: positiveInt.max(100_000).default(1000),
  ODDSFLOW_FEATURES_IDLE_MINUTES: positiveInt.default(360),
  ODDSFLOW_STATE_WARMUP_MINUTES: z.coerce.number().int().min(0).default(15),

  ODDSFLOW_STACK_KAFKA_PORT: port.default(19092),
  ODDSFLOW_STACK_KAFKA_BROKERS: positiveInt.max(5).optional(),
  ODDSFLOW_STACK_REGISTRY_PORT: port.default(18081),
  ODDSFLOW_STACK_TIMESCALE_PORT: port.default(15432),
  ODDSFLOW_STACK_REDIS_PORT: port.default(6379),
  ODDSFLOW_STACK_KAFKA_HEAP_MB: positiveInt.min(128).default(512),
  ODDSFLOW_STACK_REGISTRY_HEAP_MB: positiveInt.min(128).default(384),
  ODDSFLOW_STACK_READY_TIMEOUT_S: positiveInt.default(120),
  ODDSFLOW_STACK_TIMESCALE_HOLD_TIMEOUT_MS: positiveInt.min(100).default(15_000),
  ODDSFLOW_STACK_TIMESCALE_QUEUE_TIMEOUT_MS: positiveInt.min(100).default(60_000),
} as const;

/** Settings whose values never appear in logs or error messages. */
export const secretSettings = new Set<string>([
  'KAFKA_SASL_PASSWORD',
  'ODDS_API_KEY',
  'BETFAIR_APP_KEY',
  'BETFAIR_SESSION_TOKEN',
  'BETFAIR_USERNAME',
  'BETFAIR_PASSWORD',
  'ODDSFLOW_CONNECTOR_THE_ODDS_API',
  'ODDSFLOW_CONNECTOR_WS_JSON',
  'ODDSFLOW_CONNECTOR_BETFAIR',
  'SCHEMA_REGISTRY_PASSWORD',
  'DATABASE_URL',
  'REDIS_URL',
]);

export const settingsSchema = z
  .object(settingsShape)
  .strict()
  .superRefine((s, ctx) => {
    if (s.KAFKA_SASL_MECHANISM && (!s.KAFKA_SASL_USERNAME || !s.KAFKA_SASL_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: ['KAFKA_SASL_USERNAME'],
        message: `KAFKA_SASL_MECHANISM=${s.KAFKA_SASL_MECHANISM} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`,
      });
    }
    // PLAIN sends the password as it is: over plaintext anyone on the path reads it.
    if (s.KAFKA_SASL_MECHANISM === 'plain' && !s.KAFKA_SSL) {
      const remote = (s.KAFKA_BROKERS ?? []).filter((b) => !isLoopbackHost(hostOf(b)));
      if (!s.KAFKA_SASL_ALLOW_PLAINTEXT || remote.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['KAFKA_SASL_MECHANISM'],
          message: s.KAFKA_SASL_ALLOW_PLAINTEXT
            ? `plain without KAFKA_SSL=true is allowed only to loopback brokers, not ${remote.join(', ')}`
            : 'plain sends the password in clear: set KAFKA_SSL=true (or, for loopback brokers only, KAFKA_SASL_ALLOW_PLAINTEXT=true)',
        });
      }
    }
    if (s.ODDSFLOW_ODDS_MIN >= s.ODDSFLOW_ODDS_MAX) {
      ctx.addIssue({
        code: 'custom',
        path: ['ODDSFLOW_ODDS_MIN'],
        message: 'must be below ODDSFLOW_ODDS_MAX',
      });
    }
    if (Boolean(s.SCHEMA_REGISTRY_USERNAME) !== Boolean(s.SCHEMA_REGISTRY_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: ['SCHEMA_REGISTRY_USERNAME'],
        message: 'set both SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD, or neither',
      });
    }
  });

export type Settings = z.output<typeof settingsSchema>;
export type SettingName = keyof typeof settingsShape;
