import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../src/app/config/load.js';
import type { Env } from '../src/core/config/load.js';
import { createTopics } from '../src/core/kafka/admin.js';
import type { RoleRuntime } from './role-process.js';
import { createKafka } from '../src/core/kafka/client.js';
import { groupIds, type GroupIds } from '../src/core/kafka/groups.js';
import { topicNames, type TopicNames } from '../src/core/kafka/topics.js';
import { createLogger, type Logger } from '../src/core/logger.js';
import { AvroSerde } from '../src/core/serde/avro-serde.js';
import { registerSchemas } from '../src/core/serde/register-schemas.js';

/**
 * One bench run's slice of the shared stack: a random topic prefix (and so random subjects and
 * consumer groups), a random PostgreSQL schema and a random Redis key prefix, all removed by
 * `cleanup` whatever happened.
 */
export interface BenchEnv {
  id: string;
  /** Settings for in-process clients; `roleEnv` gives the same to role processes. */
  config: Config;
  roleEnv: Env;
  /** Node options of role processes (`--cpu-prof …` when profiling). */
  roleNodeArgs: string[];
  /** How role processes are run: under tsx, or from the compiled build as in production. */
  roleRuntime: RoleRuntime;
  /** Where each role's last /metrics is saved before it stops (for a look at batch sizes and times). */
  metricsDir: string | undefined;
  databaseUrl: string;
  schema: string;
  redisPrefix: string;
  logger: Logger;
  kafka: Kafka;
  serde: AvroSerde;
  names: TopicNames;
  groups: GroupIds;
  /** A topic name under this run's prefix, for topics outside the contract (passthrough). */
  topic(name: string): string;
  cleanup(): Promise<void>;
}

/** Where a run with this id keeps its things. */
export function runNames(id: string): { prefix: string; schema: string; redisPrefix: string } {
  return { prefix: `bench-${id}.`, schema: `bench_${id}`, redisPrefix: `bench-${id}:` };
}

export async function createBenchEnv(options: {
  databaseUrl: string;
  roleNodeArgs?: string[];
  roleRuntime?: RoleRuntime;
  metricsDir?: string;
  /** Partitions of every topic (ODDSFLOW_TOPIC_PARTITIONS); the project's default when unset. */
  partitions?: number;
}): Promise<BenchEnv> {
  const id = randomBytes(4).toString('hex');
  const { prefix, schema, redisPrefix } = runNames(id);
  const stateDir = await mkdtemp(path.join(tmpdir(), `oddsflow-bench-${id}-`));
  const settings: Env = {
    ODDSFLOW_TOPIC_PREFIX: prefix,
    DATABASE_URL: options.databaseUrl,
    ODDSFLOW_DB_SCHEMA: schema,
    ODDSFLOW_REDIS_KEY_PREFIX: redisPrefix,
    ODDSFLOW_INSTANCE_ID: `bench-${id}`,
    ODDSFLOW_STATE_DIR: stateDir,
    ODDSFLOW_HTTP_PORT: '0',
    ODDSFLOW_HTTP_HOST: '127.0.0.1',
    ODDSFLOW_LOG_LEVEL: 'info',
    ...(options.partitions === undefined ? {} : { ODDSFLOW_TOPIC_PARTITIONS: String(options.partitions) }),
  };
  const config = loadConfig({ ...process.env, ...settings, ODDSFLOW_LOG_LEVEL: 'warn' });
  const logger = createLogger({ level: 'warn' });
  const kafka = createKafka(config.kafka, { logger, clientIdSuffix: 'bench' });
  const names = topicNames(prefix);
  const serde = new AvroSerde(config.registry, names);

  const cleanup = () => removeRun(config, { id, databaseUrl: options.databaseUrl, stateDir });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await createTopics(admin, names, config.topics);
    await registerSchemas(serde, logger);
  } catch (err) {
    await cleanup().catch(() => undefined);
    throw err;
  } finally {
    await admin.disconnect();
  }

  return {
    id,
    config,
    roleEnv: settings,
    roleNodeArgs: options.roleNodeArgs ?? [],
    roleRuntime: options.roleRuntime ?? 'tsx',
    metricsDir: options.metricsDir,
    databaseUrl: options.databaseUrl,
    schema,
    redisPrefix,
    logger,
    kafka,
    serde,
    names,
    groups: groupIds(prefix),
    topic: (name) => `${prefix}${name}`,
    cleanup,
  };
}

/**
 * Deletes a run's consumer groups, topics, subjects, schema and Redis keys (and its state
 * directory); what fails is named in the error, after everything else was tried.
 */
export async function removeRun(
  config: Config,
  run: { id: string; databaseUrl: string; stateDir?: string },
): Promise<void> {
  const { prefix, schema, redisPrefix } = runNames(run.id);
  const problems: string[] = [];
  const attempt = async (what: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (err) {
      problems.push(`${what}: ${(err as Error).message}`);
    }
  };
  const admin = createKafka(config.kafka, { logger: createLogger({ level: 'warn' }) }).admin();
  await attempt('kafka', async () => {
    await admin.connect();
    const { groups } = await admin.listGroups();
    const ours = groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
    if (ours.length > 0) await admin.deleteGroups(ours);
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  });
  await admin.disconnect().catch(() => undefined);
  await attempt('schema registry', async () => {
    const base = config.registry.url.replace(/\/$/, '');
    const subjects = (await (await fetch(`${base}/subjects`)).json()) as string[];
    for (const subject of subjects.filter((s) => s.startsWith(prefix))) {
      const url = `${base}/subjects/${encodeURIComponent(subject)}`;
      await fetch(url, { method: 'DELETE' });
      await fetch(`${url}?permanent=true`, { method: 'DELETE' });
    }
  });
  await attempt('postgres', async () => {
    const client = new pg.Client({ connectionString: run.databaseUrl });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  });
  await attempt('redis', () => deleteRedisKeys(config.redisUrl, redisPrefix));
  if (run.stateDir) {
    const dir = run.stateDir;
    await attempt('state dir', () => rm(dir, { recursive: true, force: true }));
  }
  if (problems.length > 0) throw new Error(`cleanup incomplete: ${problems.join('; ')}`);
}

export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}
