import pg from 'pg';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { createEnrichStage } from '../../processors/pipeline/enrich-stage.js';
import { createOfflineChain } from '../../processors/pipeline/offline-chain.js';
import { createPrepareStage } from '../../processors/pipeline/prepare-stage.js';
import type { Config } from '../../src/app/config/load.js';
import type { MarketBook, RawMarketBook } from '../../src/core/generated/avro-types.js';
import { createKafka } from '../../src/core/kafka/client.js';
import { groupIds } from '../../src/core/kafka/groups.js';
import { measureLag } from '../../src/app/ops/lag.js';
import { readTopicRange } from '../../src/core/kafka/read-range.js';
import { pipelineOptions } from '../../src/app/roles/processors.js';
import { topicNames } from '../../src/core/kafka/topics.js';
import { AvroSerde } from '../../src/core/serde/avro-serde.js';
import { spawnOddsflow } from '../helpers/processes.js';
import { openRawPublisher } from '../helpers/publish.js';
import { rawBooks } from '../helpers/raw-books.js';
import { provisionTopics, randomId, silentLogger, testConfig, testStack } from '../helpers/stack.js';
import type { TestStack } from '../setup/stack-context.js';

export type Role = 'processors' | 'sinks';

/**
 * One fault scenario's pipeline: its own topics, PostgreSQL schema and Redis prefix, raw books
 * to publish, and what the stores must hold once they are through (the same books through the
 * same chain, offline). The roles run as `oddsflow run` processes, as in production.
 */
export interface PipelineRun {
  config: Config;
  raw: RawMarketBook[];
  expected: MarketBook[];
  schema: string;
  keyPrefix: string;
  pool: pg.Pool;
  redis: Redis;
  /** `oddsflow run --role <role>` as a process; `instance` names a second member of the groups. */
  startRole(role: Role, instance?: string): ReturnType<typeof spawnOddsflow>;
  /** Rows in odds_snapshots; 0 until the sinks have created the table. */
  rowCount(): Promise<number>;
  publish(books: readonly RawMarketBook[]): Promise<void>;
  cleanup(): Promise<void>;
}

export async function preparePipelineRun(
  name: string,
  books: number,
  stack: TestStack = testStack(),
): Promise<PipelineRun> {
  const schema = randomId(name).replace('-', '_');
  const keyPrefix = `${randomId(name)}:`;
  const config = testConfig(
    { DATABASE_URL: stack.postgresUrl, ODDSFLOW_DB_SCHEMA: schema, ODDSFLOW_REDIS_KEY_PREFIX: keyPrefix },
    stack,
  );
  const names = await provisionTopics(config);
  const env = {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    DATABASE_URL: stack.postgresUrl,
    REDIS_URL: stack.redisUrl,
    ODDSFLOW_TOPIC_PREFIX: config.topics.prefix,
    ODDSFLOW_TOPIC_PARTITIONS: '3',
    ODDSFLOW_DB_SCHEMA: schema,
    ODDSFLOW_REDIS_KEY_PREFIX: keyPrefix,
    ODDSFLOW_HTTP_PORT: '0',
    ODDSFLOW_LOG_LEVEL: 'warn',
    ODDSFLOW_INSTANCE_ID: name,
    ODDSFLOW_TRANSACTION_MAX_RECORDS: '25',
    ODDSFLOW_SINK_BATCH_RECORDS: '25',
    // A killed or frozen member's partitions move after this long, not after the default 30 s.
    KAFKA_CONSUMER_SESSION_TIMEOUT_MS: String(faultSessionTimeoutMs),
  };
  // Recent times: Redis keys live until 12 h after the start, so these must be upcoming events.
  const raw = rawBooks(books, { eventCount: 20, baseTime: Date.now() - 3_600_000 });
  const options = await pipelineOptions(config.settings, Date.now);
  const chain = createOfflineChain(
    createPrepareStage(options.prepare),
    createEnrichStage(options.enrich),
    Date.now,
  );
  const expected = chain.books(raw).flatMap((o) => (o.type === 'market_book' ? [o] : []));
  const pool = new pg.Pool({ connectionString: stack.postgresUrl, max: 2 });
  const redis = new Redis(stack.redisUrl);
  const serde = new AvroSerde(config.registry, names);
  await serde.registerAll(); // ids cached: publishing needs no registry during a broker restart
  const publisher = await openRawPublisher(config, names, { serde });

  return {
    config,
    raw,
    expected,
    schema,
    keyPrefix,
    pool,
    redis,
    startRole: (role, instance) =>
      spawnOddsflow(['run', '--role', role], instance ? { ...env, ODDSFLOW_INSTANCE_ID: instance } : env),
    rowCount: async () =>
      Number(
        (
          await pool
            .query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.odds_snapshots`)
            .catch(() => ({ rows: [{ n: '0' }] }))
        ).rows[0]!.n,
      ),
    async publish(books) {
      for (let i = 0; i < books.length; i += 250) await publisher.publishBooks(books.slice(i, i + 250));
    },
    async cleanup() {
      await publisher.close();
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await pool.end();
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

/** The natural key of an odds_snapshots row. */
const rowKey = (
  time: number | string,
  eventId: string,
  marketId: string,
  bookmaker: string,
  selectionId: string,
  side: string,
) => `${time}|${eventId}|${marketId}|${bookmaker}|${selectionId}|${side}`;

function expectedKeys(run: PipelineRun): string[] {
  return run.expected
    .flatMap((b) =>
      b.selections
        .filter((s) => s.decimalOdds !== null)
        .map((s) => rowKey(b.eventTime, b.eventId, b.marketId, b.bookmaker, s.selectionId, b.side)),
    )
    .sort();
}

async function storedKeys(run: PipelineRun): Promise<string[]> {
  const { rows } = await run.pool.query<{ k: string }>(
    `SELECT (extract(epoch FROM time) * 1000)::bigint || '|' || event_id || '|' || market_id || '|' || bookmaker || '|' || selection_id || '|' || side AS k FROM ${run.schema}.odds_snapshots`,
  );
  return rows.map((r) => r.k).sort();
}

/** Waits until every consumer group has read everything and the rows are all there. */
/** The consumer session of every role these tests start (the broker's minimum). */
export const faultSessionTimeoutMs = 6_000;

export async function waitUntilSettled(
  run: PipelineRun,
  timeoutMs: number,
  roles: readonly Role[] = ['processors', 'sinks'],
): Promise<boolean> {
  const groups = groupIds(run.config.topics.prefix);
  const names = topicNames(run.config.topics.prefix);
  const admin = createKafka(run.config.kafka, { logger: silentLogger }).admin();
  await admin.connect();
  const wanted = expectedKeys(run).length;
  // Each stage must have committed on its input (a group that never did has no rows, which is not "no lag").
  const committedOn = [
    ...(roles.includes('processors')
      ? [
          { group: groups.prepare, topic: names.oddsRaw },
          { group: groups.enrich, topic: names.oddsNormalized },
        ]
      : []),
    ...(roles.includes('sinks') ? [{ group: groups.sinkTimescale, topic: names.oddsNormalized }] : []),
  ];
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      const rows = await measureLag(admin, { groups: Object.values(groups), now: Date.now() }).catch(
        () => null,
      );
      if (!rows || rows.some((r) => r.lag > 0)) continue;
      if (!committedOn.every(({ group, topic }) => rows.some((r) => r.group === group && r.topic === topic)))
        continue;
      if (!roles.includes('sinks') || (await run.rowCount()) >= wanted) return true;
    }
    return false;
  } finally {
    await admin.disconnect();
  }
}

/**
 * No loss and no duplicate: the stored natural keys are exactly the expected ones; and Redis
 * holds, for every book of every market, the newest price (highest event time). Returns the
 * numbers checked, for the scenario's report.
 */
export async function expectExactStores(
  run: PipelineRun,
  context: string,
): Promise<{ rows: number; fields: number }> {
  const stored = await storedKeys(run);
  const wanted = expectedKeys(run);
  expect(stored.length, context).toBe(wanted.length);
  expect(stored, context).toEqual(wanted);

  const newest = new Map<string, MarketBook>();
  for (const b of run.expected) {
    const key = `${b.eventId}:${b.marketId}|${b.bookmaker}`;
    if ((newest.get(key)?.eventTime ?? -1) < b.eventTime) newest.set(key, b);
  }
  let fields = 0;
  const byKey = new Map<string, MarketBook[]>();
  for (const b of newest.values()) {
    const key = `${run.keyPrefix}odds:${b.eventId}:${b.marketId}`;
    byKey.set(key, [...(byKey.get(key) ?? []), b]);
  }
  // Both ways: every expected field holds the newest price, and no market hash has a field (or
  // the store a market key) that no expected book made.
  const marketKeys = (await run.redis.keys(`${run.keyPrefix}odds:*`)).sort();
  expect(marketKeys, `${context}: Redis odds keys`).toEqual([...byKey.keys()].sort());
  for (const [key, books] of byKey) {
    const hash = await run.redis.hgetall(key);
    const wanted = books.flatMap((b) => b.selections.map((s) => `${b.bookmaker}|${s.selectionId}|${b.side}`));
    expect(Object.keys(hash).sort(), `${context}: fields of ${key}`).toEqual(wanted.sort());
    for (const b of books) {
      for (const s of b.selections) {
        const value = JSON.parse(hash[`${b.bookmaker}|${s.selectionId}|${b.side}`] ?? '{}') as {
          t?: number;
          odds?: number | null;
        };
        expect(value.t, `${context}: ${b.eventId} ${s.selectionId}`).toBe(b.eventTime);
        expect(value.odds).toBe(s.decimalOdds);
        fields++;
      }
    }
  }
  return { rows: stored.length, fields };
}

/** A book's identity on odds.normalized: one output per input book the chain keeps. */
const bookKey = (b: Pick<MarketBook, 'eventId' | 'marketId' | 'bookmaker' | 'side' | 'eventTime'>) =>
  `${b.eventId}|${b.marketId}|${b.bookmaker}|${b.side}|${b.eventTime}`;

/**
 * Exactly once on the topics themselves, read committed: every published raw book is on odds.raw
 * once, and odds.normalized holds the expected books, each as many times as the chain makes it
 * (once). Unlike the stores, whose primary keys and newer-wins rule would hide a duplicate
 * delivery, a topic keeps every copy a second commit of the same input would add.
 */
export async function expectExactTopics(
  run: PipelineRun,
  context: string,
): Promise<{ raw: number; normalized: number; pricing: number }> {
  const kafka = createKafka(run.config.kafka, { logger: silentLogger });
  const names = topicNames(run.config.topics.prefix);
  const serde = new AvroSerde(run.config.registry, names);
  const raw = await readTopicRange(kafka, serde, names, 'oddsRaw', {});
  const ids = raw.map((r) => (JSON.parse(r.value.payload) as { i: number }).i).sort((a, b) => a - b);
  const seen = new Set(ids);
  const missing = run.raw.map((_, i) => i).filter((i) => !seen.has(i));
  const twice = ids.filter((id, k) => ids[k - 1] === id);
  expect({ missing, twice }, `${context}: odds.raw`).toEqual({ missing: [], twice: [] });
  const normalized = await readTopicRange(kafka, serde, names, 'oddsNormalized', {});
  const wanted = run.expected.map(bookKey).sort();
  expect(normalized.map((r) => bookKey(r.value)).sort(), `${context}: odds.normalized`).toEqual(wanted);
  // The enrich stage prices every book once, whatever its cross-book state then was.
  const pricing = await readTopicRange(kafka, serde, names, 'oddsPricing', {});
  expect(pricing.map((r) => bookKey(r.value)).sort(), `${context}: odds.pricing`).toEqual(wanted);
  return { raw: raw.length, normalized: normalized.length, pricing: pricing.length };
}
