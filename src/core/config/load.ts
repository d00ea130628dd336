import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { readStackEndpoints } from './endpoints.js';
import { defaultStackDir } from './paths.js';
import { jsonSyntaxWhere, type KernelSettings } from './settings.js';

export type Env = Record<string, string | undefined>;

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  ssl: boolean | { ca: string[] };
  sasl:
    | { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
    | undefined;
  /**
   * How long the group coordinator waits for a silent consumer before it gives its partitions
   * to others: the longest a killed process's partitions stay unread.
   */
  consumerSessionTimeoutMs: number;
  /**
   * Most bytes one fetch asks for, over all its partitions (Kafka's fetch.max.bytes; a larger
   * first record still comes): what a consumer holds at once when it is behind.
   */
  consumerFetchMaxBytes: number;
}

/**
 * The settings as parsed (`settings`: the kernel's, or the whole application's when it loads
 * them) and what the kernel makes of them: where each service is.
 */
export interface Config<S extends KernelSettings = KernelSettings> {
  settings: S;
  logLevel: KernelSettings['ODDSFLOW_LOG_LEVEL'];
  stackDir: string;
  kafka: KafkaSettings;
  registry: { url: string; auth: { username: string; password: string } | undefined };
  /** Undefined when neither DATABASE_URL nor a running local stack names a database. */
  databaseUrl: string | undefined;
  redisUrl: string;
  topics: { prefix: string; partitions: number; replicationFactor: number | 'auto' };
  /** Which services the user named explicitly (the local stack starts only the others). */
  explicit: { kafka: boolean; registry: boolean; database: boolean; redis: boolean };
}

/** What loading needs to know of the settings: their names, their schema, which are secret. */
export interface SettingsSpec<S extends KernelSettings> {
  names: ReadonlySet<string>;
  schema: z.ZodType<S>;
  secrets: ReadonlySet<string>;
}

/**
 * Our variables from the environment: every known name, plus any unknown ODDSFLOW_* name so that
 * a typo (ODDSFLOW_TOPIC_PREFX) is reported instead of silently ignored.
 */
export function pickSettings(env: Env, known: ReadonlySet<string>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    if (known.has(name) || name.startsWith('ODDSFLOW_')) picked[name] = value;
  }
  return picked;
}

function readConfigFile(file: string): Record<string, string> {
  let text: string;
  let parsed: unknown;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`ODDSFLOW_CONFIG_FILE: cannot read ${file}: ${(err as Error).message}`]);
  }
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // The parser's message quotes the file, which holds credentials.
    throw new ConfigError([`ODDSFLOW_CONFIG_FILE: ${file} is not JSON (${jsonSyntaxWhere(err)})`]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([`ODDSFLOW_CONFIG_FILE: ${file} must hold a JSON object of SETTING: value`]);
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    out[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

function formatIssues(
  error: z.ZodError,
  input: Record<string, string>,
  secretSettings: ReadonlySet<string>,
): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${key}: unknown setting`).join('\n  ');
    }
    const name = String(issue.path[0] ?? '(config)');
    const raw = input[name];
    const shown = raw === undefined ? '' : secretSettings.has(name) ? ' (value hidden)' : ` (got "${raw}")`;
    return `${name}: ${issue.message}${shown}`;
  });
}

/** Parses settings from a file and the environment; throws ConfigError listing every problem. */
export function loadConfigOf<S extends KernelSettings>(spec: SettingsSpec<S>, env: Env): Config<S> {
  const fromEnv = pickSettings(env, spec.names);
  const file = fromEnv.ODDSFLOW_CONFIG_FILE;
  const input = { ...(file ? readConfigFile(file) : {}), ...fromEnv };
  const result = spec.schema.safeParse(input);
  if (!result.success) throw new ConfigError(formatIssues(result.error, input, spec.secrets));
  const s = result.data;

  const stackDir = path.resolve(s.ODDSFLOW_STACK_DIR ?? defaultStackDir);
  const stack = readStackEndpoints(stackDir);

  let ssl: KafkaSettings['ssl'] = s.KAFKA_SSL;
  if (s.KAFKA_SSL && s.KAFKA_SSL_CA_FILE) {
    try {
      ssl = { ca: [readFileSync(s.KAFKA_SSL_CA_FILE, 'utf8')] };
    } catch (err) {
      throw new ConfigError([
        `KAFKA_SSL_CA_FILE: cannot read ${s.KAFKA_SSL_CA_FILE}: ${(err as Error).message}`,
      ]);
    }
  }

  return {
    settings: s,
    logLevel: s.ODDSFLOW_LOG_LEVEL,
    stackDir,
    kafka: {
      // A stack's brokers once it is up; before, those of the cluster asked for (node n on base + 2(n − 1)).
      brokers:
        s.KAFKA_BROKERS ??
        stack?.kafkaBrokers ??
        Array.from(
          { length: s.ODDSFLOW_STACK_KAFKA_BROKERS ?? 1 },
          (_, i) => `127.0.0.1:${s.ODDSFLOW_STACK_KAFKA_PORT + 2 * i}`,
        ),
      clientId: s.KAFKA_CLIENT_ID,
      ssl,
      consumerSessionTimeoutMs: s.KAFKA_CONSUMER_SESSION_TIMEOUT_MS,
      consumerFetchMaxBytes: s.KAFKA_CONSUMER_FETCH_MAX_BYTES,
      sasl:
        s.KAFKA_SASL_MECHANISM && s.KAFKA_SASL_USERNAME && s.KAFKA_SASL_PASSWORD
          ? {
              mechanism: s.KAFKA_SASL_MECHANISM,
              username: s.KAFKA_SASL_USERNAME,
              password: s.KAFKA_SASL_PASSWORD,
            }
          : undefined,
    },
    registry: {
      url:
        s.SCHEMA_REGISTRY_URL ??
        stack?.schemaRegistryUrl ??
        `http://127.0.0.1:${s.ODDSFLOW_STACK_REGISTRY_PORT}/apis/ccompat/v7`,
      auth:
        s.SCHEMA_REGISTRY_USERNAME && s.SCHEMA_REGISTRY_PASSWORD
          ? { username: s.SCHEMA_REGISTRY_USERNAME, password: s.SCHEMA_REGISTRY_PASSWORD }
          : undefined,
    },
    databaseUrl: s.DATABASE_URL ?? stack?.databaseUrl,
    redisUrl: s.REDIS_URL ?? stack?.redisUrl ?? `redis://127.0.0.1:${s.ODDSFLOW_STACK_REDIS_PORT}`,
    topics: {
      prefix: s.ODDSFLOW_TOPIC_PREFIX,
      partitions: s.ODDSFLOW_TOPIC_PARTITIONS,
      replicationFactor: s.ODDSFLOW_TOPIC_REPLICATION_FACTOR,
    },
    explicit: {
      kafka: s.KAFKA_BROKERS !== undefined,
      registry: s.SCHEMA_REGISTRY_URL !== undefined,
      database: s.DATABASE_URL !== undefined,
      redis: s.REDIS_URL !== undefined,
    },
  };
}
