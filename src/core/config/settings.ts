import { hostname } from 'node:os';
import { z } from 'zod';
import { hostOf, isLoopbackHost } from './loopback.js';

// The building blocks of every settings schema, the components' included: all settings arrive as
// strings (environment, or a config file's values turned to strings), so each one coerces.

/** A comma-separated list, blanks dropped; `.pipe` it into the array of what each item must be. */
export const commaSeparated = z.string().transform((s) =>
  s
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0),
);

const hostPort = z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'expected host:port');
const hostPortList = commaSeparated.pipe(z.array(hostPort).min(1, 'expected at least one host:port'));

/** Letters, digits, dot, underscore and dash: what Kafka takes in topic, group and client names. */
const kafkaName = z.string().regex(/^[A-Za-z0-9._-]*$/, 'only letters, digits, dot, underscore and dash');

const port = z.coerce.number().int().min(1).max(65535);
export const positiveInt = z.coerce.number().int().min(1);
const bool = z.stringbool({ truthy: ['true', '1', 'yes', 'on'], falsy: ['false', '0', 'no', 'off'] });

/** A JSON object given as a string (environment) or inline (config file); checked in full later by its component's schema. */
export const jsonObject = z.string().transform((text, ctx): Record<string, unknown> => {
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

/**
 * The kernel's settings, by the name of their environment variable: where Kafka, the registry,
 * PostgreSQL and Redis are, logging, the process (instance, health server, stop and hold limits,
 * state directory) and the local stack whose endpoints are every service's default. The
 * components declare their own settings next to their code (connectors/settings.ts,
 * processors/settings.ts, sinks/settings.ts); src/app/config/settings.ts composes them all.
 */
export const kernelSettingsShape = {
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
  // 6 s is the broker's default group.min.session.timeout.ms; below it joins are refused.
  KAFKA_CONSUMER_SESSION_TIMEOUT_MS: positiveInt.min(6_000).max(300_000).default(30_000),
  // kafkajs asks for 10 MiB a fetch: with a backlog every role held that many messages twice
  // over (bytes, then decoded) and peaked at 260-280 MiB; 1 MiB drains as fast (bench/README.md).
  KAFKA_CONSUMER_FETCH_MAX_BYTES: positiveInt.min(65_536).max(104_857_600).default(1_048_576),

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

  ODDSFLOW_TOPIC_PREFIX: kafkaName.default(''),
  ODDSFLOW_TOPIC_PARTITIONS: positiveInt.max(1000).default(6),
  ODDSFLOW_TOPIC_REPLICATION_FACTOR: z.literal('auto').or(positiveInt.max(10)).default('auto'),

  ODDSFLOW_INSTANCE_ID: kafkaName.min(1).default(hostname().replace(/[^A-Za-z0-9._-]/g, '-')),
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

/** The kernel's settings whose values never appear in logs or error messages. */
export const kernelSecretSettings = [
  'KAFKA_SASL_PASSWORD',
  'SCHEMA_REGISTRY_PASSWORD',
  'DATABASE_URL',
  'REDIS_URL',
] as const;

export type KernelSettings = z.output<z.ZodObject<typeof kernelSettingsShape>>;

/** The rules between kernel settings, for the composed schema's `superRefine`. */
export function checkKernelSettings(s: KernelSettings, ctx: z.RefinementCtx): void {
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
  if (Boolean(s.SCHEMA_REGISTRY_USERNAME) !== Boolean(s.SCHEMA_REGISTRY_PASSWORD)) {
    ctx.addIssue({
      code: 'custom',
      path: ['SCHEMA_REGISTRY_USERNAME'],
      message: 'set both SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD, or neither',
    });
  }
}
