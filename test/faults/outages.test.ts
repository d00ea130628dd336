import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { provisionTopics, randomId, silentLogger, testConfig, testStack } from '../helpers/stack.js';
import { book } from '../helpers/records.js';
import { publishNormalizedBooks } from '../helpers/publish.js';
import type { TopicNames } from '../../src/core/kafka/topics.js';
import { createMetrics } from '../../src/core/metrics.js';
import { createRoleContext, type RoleContext, type RunningRole } from '../../src/app/roles/context.js';
import { startSinks } from '../../src/app/roles/sinks.js';
import { measureLag } from '../../src/app/ops/lag.js';
import type { Config } from '../../src/app/config/load.js';
import { until } from '../helpers/wait.js';
import { report } from './report.js';

// Recent times: Redis keys expire after the event (start + 12 h), so a past event would vanish at once.
const t0 = Date.now() - 600_000;

/** Book i: its own event time, so each yields new odds_snapshots rows (2 priced selections). */
const bookAt = (i: number) =>
  book({
    eventId: `horse-racing/today/ascot/${String(i % 4).padStart(4, '0')}`,
    startTime: t0 + 3_600_000,
    eventTime: t0 + i * 1000,
    receivedAt: t0 + i * 1000 + 5,
    processedAt: t0 + i * 1000 + 9,
  });

describe('sinks role against real stores: outages and replays', () => {
  let config: Config;
  let names: TopicNames;
  let ctx: RoleContext;
  let dbProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let pool: pg.Pool;
  let redis: Redis;
  let schema: string;
  let keyPrefix: string;
  let published = 0;

  const publish = async (from: number, to: number) => {
    await publishNormalizedBooks(
      config,
      names,
      Array.from({ length: to - from }, (_, i) => bookAt(from + i)),
    );
    published = Math.max(published, to);
  };
  const snapshotRows = async () =>
    Number(
      (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.odds_snapshots`)).rows[0]!.n,
    );
  const redisKeys = async () => (await redis.keys(`${keyPrefix}*`)).length;

  beforeAll(async () => {
    const stack = testStack();
    const postgres = new URL(stack.postgresUrl);
    dbProxy = await startTcpProxy({ host: postgres.hostname, port: Number(postgres.port || 5432) });
    const redisUrl = new URL(stack.redisUrl);
    redisProxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    schema = randomId('sinks_role').replace('-', '_');
    keyPrefix = `${randomId('sinks-role')}:`;
    const proxiedDb = new URL(stack.postgresUrl);
    proxiedDb.host = `127.0.0.1:${dbProxy.port}`;
    config = testConfig({
      DATABASE_URL: proxiedDb.toString(),
      REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
      ODDSFLOW_DB_SCHEMA: schema,
      ODDSFLOW_REDIS_KEY_PREFIX: keyPrefix,
      ODDSFLOW_SINK_BATCH_RECORDS: '50',
    });
    names = await provisionTopics(config);
    ctx = createRoleContext(config, silentLogger, createMetrics());
    pool = new pg.Pool({ connectionString: stack.postgresUrl, max: 2 });
    redis = new Redis(stack.redisUrl);
  });

  afterAll(async () => {
    await pool?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await pool?.end();
    if (redis) {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  let sinks: RunningRole;

  it('a database outage in the middle of the stream loses and alters nothing', async () => {
    sinks = await startSinks(ctx);
    await publish(0, 100);
    expect(await until(async () => (await snapshotRows()) === 200, 60_000)).toBe(true);

    await dbProxy.refuse();
    await publish(100, 200);
    await new Promise((r) => setTimeout(r, 4000));
    await dbProxy.restore();

    expect(await until(async () => (await snapshotRows()) === 400, 90_000)).toBe(true);
    // Nothing lost, nothing altered: the rows are exactly those of the 200 books, price for price.
    // (Duplicates could not show here — the primary key is the natural key and the write an
    // upsert — which is why exactly-once is checked on the topics, test/faults/kill-restart.)
    const { rows } = await pool.query<{ k: string }>(
      `SELECT (extract(epoch FROM time) * 1000)::bigint || '|' || event_id || '|' || selection_id || '|' || odds AS k
         FROM ${schema}.odds_snapshots`,
    );
    const expected = Array.from({ length: 200 }, (_, i) => bookAt(i)).flatMap((b) =>
      b.selections
        .filter((sel) => sel.decimalOdds !== null)
        .map((sel) => `${b.eventTime}|${b.eventId}|${sel.selectionId}|${sel.decimalOdds}`),
    );
    expect(rows.map((r) => r.k).sort()).toEqual(expected.sort());
    report(
      'database outage',
      `200 books, the database refused for 4 s after the first 100: the ${rows.length} odds_snapshots rows are exactly the books' (none lost, none altered)`,
    );
  });

  it('Redis down: the Redis sink holds and catches up, TimescaleDB is not held back', async () => {
    const keysBefore = await redisKeys();
    expect(keysBefore).toBeGreaterThan(0);
    await redisProxy.refuse();
    await publish(200, 300);
    // TimescaleDB gets the new books while Redis is unreachable.
    expect(await until(async () => (await snapshotRows()) === 600, 60_000)).toBe(true);
    const admin = ctx.kafka.admin();
    await admin.connect();
    const lagOf = async (group: string) =>
      (await measureLag(admin, { groups: [group], now: Date.now() })).reduce((s, r) => s + r.lag, 0);
    expect(await lagOf(ctx.groups.sinkRedis)).toBeGreaterThan(0);
    expect(await until(async () => (await lagOf(ctx.groups.sinkTimescale)) === 0, 30_000)).toBe(true);

    await redisProxy.restore();
    expect(await until(async () => (await lagOf(ctx.groups.sinkRedis)) === 0, 90_000)).toBe(true);
    await admin.disconnect();
    expect(await redisKeys()).toBeGreaterThanOrEqual(keysBefore);
    // the newest book of every event is what Redis holds
    const latest = bookAt(published - 1);
    const stored = await redis.hgetall(`${keyPrefix}odds:${latest.eventId}:${latest.marketId}`);
    expect(Object.values(stored).some((v) => v.includes(String(latest.eventTime)))).toBe(true);
    report(
      'redis outage',
      '100 books while Redis refused: TimescaleDB caught up (lag 0) with the Redis group still behind; Redis caught up after, newest book stored',
    );
  });

  it('consuming the topics again from the start (a replay) adds no row', async () => {
    const before = await snapshotRows();
    await sinks.stop();
    const admin = ctx.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([ctx.groups.sinkTimescale, ctx.groups.sinkRedis]);
    sinks = await startSinks(ctx);
    const replayed = await until(
      async () =>
        (await measureLag(admin, { groups: [ctx.groups.sinkTimescale], now: Date.now() })).some(
          (r) => r.committed !== null,
        ) &&
        (await measureLag(admin, { groups: [ctx.groups.sinkTimescale], now: Date.now() })).every(
          (r) => r.lag === 0,
        ),
      90_000,
    );
    await admin.disconnect();
    expect(replayed).toBe(true);
    expect(await snapshotRows()).toBe(before);
    report('replay', `both sink groups re-read the topics from the start: ${before} rows before and after`);
    await sinks.stop();
  });
});
