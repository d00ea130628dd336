import { Kafka, logLevel } from 'kafkajs';
import type { KafkaSettings } from '../config/load.js';
import { connectionOptions } from '../kafka/client.js';

/**
 * One-shot readiness checks of each service, with a bounded time. They throw with the
 * service's own message on failure; callers turn that into a line that says how to fix it.
 * The PostgreSQL and Redis clients are loaded by their probes, not with this module: every role
 * probes Kafka, and the processors and connectors, which use no Redis, loaded ioredis only for
 * this module.
 */
export async function probeKafka(settings: KafkaSettings, timeoutMs = 3000): Promise<{ brokers: number }> {
  const kafka = new Kafka({
    clientId: `${settings.clientId}-probe`,
    ...connectionOptions(settings),
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return { brokers: cluster.brokers.length };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function probeRegistry(
  url: string,
  auth?: { username: string; password: string },
  timeoutMs = 3000,
): Promise<{ subjects: number }> {
  const headers: Record<string, string> = { accept: 'application/vnd.schemaregistry.v1+json' };
  if (auth)
    headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const response = await fetch(`${url.replace(/\/$/, '')}/subjects`, {
    headers,
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`GET /subjects answered ${response.status}`);
  const subjects = (await response.json()) as unknown[];
  return { subjects: subjects.length };
}

export async function probeDatabase(
  url: string,
  timeoutMs = 3000,
): Promise<{ version: string; timescale: string | null }> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string; timescale: string | null }>(
      `SELECT current_setting('server_version') AS version,
              (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS timescale`,
    );
    const row = rows[0];
    if (!row) throw new Error('SELECT returned no row');
    return row;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function probeRedis(url: string, timeoutMs = 3000): Promise<{ version: string }> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const pong: string = await redis.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
    const info = await redis.info('server');
    return { version: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown' };
  } finally {
    redis.disconnect();
  }
}
