import pg from 'pg';
import { Redis } from 'ioredis';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaPublisher } from '../../connectors/runtime/kafka-publisher.js';
import { createEnrichStage } from '../../processors/pipeline/enrich-stage.js';
import { createOfflineChain } from '../../processors/pipeline/offline-chain.js';
import { createPrepareStage } from '../../processors/pipeline/prepare-stage.js';
import type { Config } from '../../src/config/load.js';
import type { MarketBook } from '../../src/generated/avro-types.js';
import { createKafka, createProducer } from '../../src/kafka/client.js';
import { groupIds } from '../../src/kafka/groups.js';
import { createMetrics } from '../../src/metrics.js';
import { measureLag } from '../../src/ops/lag.js';
import { pipelineOptions } from '../../src/roles/processors.js';
import { AvroSerde } from '../../src/serde/avro-serde.js';
import { exited, spawnOddsflow } from '../helpers/processes.js';
import { rawBooks } from '../helpers/raw-books.js';
import { provisionTopics, randomId, silentLogger, testConfig, testStack } from '../helpers/stack.js';
import { faultIterations, report, seededRandom } from './report.js';

const BOOKS = 1500;

describe('kill -9 of the processors and the sinks at random points', () => {
  let config: Config;
  let env: Record<string, string>;
  let expected: MarketBook[];
  let pool: pg.Pool;
  let redis: Redis;
  const schema = randomId('faults').replace('-', '_');
  const keyPrefix = `${randomId('faults')}:`;

  beforeAll(async () => {
    const stack = testStack();
    config = testConfig({
      DATABASE_URL: stack.postgresUrl,
      ODDSFLOW_DB_SCHEMA: schema,
      ODDSFLOW_REDIS_KEY_PREFIX: keyPrefix,
    });
    const names = await provisionTopics(config);
    env = {
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
      ODDSFLOW_INSTANCE_ID: 'faults',
      ODDSFLOW_TRANSACTION_MAX_RECORDS: '25',
      ODDSFLOW_SINK_BATCH_RECORDS: '25',
    };
    // Recent times: Redis keys live until 12 h after the start, so these must be upcoming events.
    const raw = rawBooks(BOOKS, { eventCount: 20, baseTime: Date.now() - 3_600_000 });
    const producer = createProducer(createKafka(config.kafka, { logger: silentLogger }));
    await producer.connect();
    const publisher = createKafkaPublisher({
      producer,
      serde: new AvroSerde(config.registry, names),
      names,
      metrics: createMetrics(),
      clock: { now: Date.now },
    });
    for (let i = 0; i < raw.length; i += 250) await publisher.publishBooks(raw.slice(i, i + 250));
    await producer.disconnect();

    // What the stores must hold: the same books through the same chain, offline.
    const options = await pipelineOptions(config.settings, Date.now);
    const chain = createOfflineChain(
      createPrepareStage(options.prepare),
      createEnrichStage(options.enrich),
      Date.now,
    );
    expected = chain.books(raw).flatMap((o) => (o.type === 'market_book' ? [o] : []));
    pool = new pg.Pool({ connectionString: stack.postgresUrl, max: 2 });
    redis = new Redis(stack.redisUrl);
  }, 120_000);

  afterAll(async () => {
    await pool?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await pool?.end();
    if (redis) {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it(`leaves exactly the expected rows in TimescaleDB and the newest state in Redis (${faultIterations} kills)`, async () => {
    const random = seededRandom();
    const roles: Record<'processors' | 'sinks', ChildProcess | undefined> = {
      processors: undefined,
      sinks: undefined,
    };
    const start = (role: 'processors' | 'sinks') =>
      (roles[role] = spawnOddsflow(['run', '--role', role], env));
    start('sinks');
    start('processors');
    const kills: string[] = [];
    for (let i = 0; i < faultIterations; i++) {
      await new Promise((r) => setTimeout(r, 1500 + random.next() * 3500));
      const victim = random.next() < 0.5 ? 'processors' : 'sinks';
      roles[victim]!.kill('SIGKILL');
      await exited(roles[victim]!);
      kills.push(victim);
      start(victim);
    }

    const groups = groupIds(config.topics.prefix);
    const admin = createKafka(config.kafka, { logger: silentLogger }).admin();
    await admin.connect();
    const expectedRows = expected.reduce(
      (n, b) => n + b.selections.filter((s) => s.decimalOdds !== null).length,
      0,
    );
    const rowCount = async () =>
      Number(
        (
          await pool
            .query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.odds_snapshots`)
            .catch(() => ({ rows: [{ n: '0' }] }))
        ).rows[0]!.n,
      );
    const deadline = Date.now() + 180_000;
    let settled = false;
    while (!settled && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      const lag = (await measureLag(admin, { groups: Object.values(groups), now: Date.now() })).reduce(
        (s, r) => s + r.lag,
        0,
      );
      settled = lag === 0 && (await rowCount()) >= expectedRows;
    }
    await admin.disconnect();
    const running = Object.values(roles).filter((c): c is ChildProcess => c !== undefined);
    for (const child of running) child.kill('SIGTERM');
    await Promise.all(running.map((c) => exited(c)));
    expect(settled, `seed ${random.seed}: pipeline did not settle`).toBe(true);

    // No loss and no duplicate: the stored natural keys are exactly the expected ones.
    const { rows } = await pool.query<{ k: string }>(
      `SELECT (extract(epoch FROM time) * 1000)::bigint || '|' || event_id || '|' || market_id || '|' || bookmaker || '|' || selection_id || '|' || side AS k FROM ${schema}.odds_snapshots`,
    );
    const stored = rows.map((r) => r.k).sort();
    const wanted = expected
      .flatMap((b) =>
        b.selections
          .filter((s) => s.decimalOdds !== null)
          .map((s) => `${b.eventTime}|${b.eventId}|${b.marketId}|${b.bookmaker}|${s.selectionId}|${b.side}`),
      )
      .sort();
    expect(stored.length, `seed ${random.seed}`).toBe(wanted.length);
    expect(stored).toEqual(wanted);

    // Redis holds, for every book of every market, the newest price (highest event time).
    const newest = new Map<string, MarketBook>();
    for (const b of expected) {
      const key = `${b.eventId}:${b.marketId}|${b.bookmaker}`;
      if ((newest.get(key)?.eventTime ?? -1) < b.eventTime) newest.set(key, b);
    }
    let checkedFields = 0;
    for (const b of newest.values()) {
      const hash = await redis.hgetall(`${keyPrefix}odds:${b.eventId}:${b.marketId}`);
      for (const s of b.selections) {
        const value = JSON.parse(hash[`${b.bookmaker}|${s.selectionId}|${b.side}`] ?? '{}') as {
          t?: number;
          odds?: number;
        };
        expect(value.t, `${b.eventId} ${s.selectionId}`).toBe(b.eventTime);
        expect(value.odds).toBe(s.decimalOdds);
        checkedFields++;
      }
    }
    report(
      'kill -9',
      `seed ${random.seed}, kills ${kills.join(',')}: ${BOOKS} raw books → ${stored.length} odds_snapshots rows equal to the expected set; newest price of ${checkedFields} Redis fields checked`,
    );
  }, 420_000);
});
