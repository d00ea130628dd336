import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/app/config/load.js';
import { startHealthServer } from '../../../src/core/health/server.js';
import type { TopicNames } from '../../../src/core/kafka/topics.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { createRoleContext, readinessOf, type RunningRole } from '../../../src/app/roles/context.js';
import { startSinks } from '../../../src/app/roles/sinks.js';
import { exitedWithin, spawnOddsflow } from '../../helpers/processes.js';
import {
  provisionTopics,
  randomId,
  roleEnv,
  silentLogger,
  testConfig,
  testStack,
} from '../../helpers/stack.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';
import { book } from '../../helpers/records.js';
import { publishNormalizedBooks } from '../../helpers/publish.js';
import { until } from '../../helpers/wait.js';
import { holding } from '../../helpers/holds.js';

const proxyTo = (url: string): Promise<TcpProxy> => {
  const target = new URL(url);
  return startTcpProxy({ host: target.hostname, port: Number(target.port) });
};

/** `url` through the proxy on 127.0.0.1. */
const via = (url: string, proxy: TcpProxy): string => {
  const through = new URL(url);
  through.hostname = '127.0.0.1';
  through.port = String(proxy.port);
  return through.toString();
};

const roles: RunningRole[] = [];
afterAll(async () => {
  for (const role of roles) await role.stop().catch(() => undefined);
});

describe('nothing waits without bound on a dependency', () => {
  let config: Config;
  let names: TopicNames;
  let schema: string;
  const database = new pg.Pool({ connectionString: testStack().postgresUrl, max: 1 });

  const publishBooks = async (count: number, tag: string): Promise<void> => {
    const eventTime = Date.now() - 60_000;
    await publishNormalizedBooks(
      config,
      names,
      Array.from({ length: count }, (_, i) =>
        book({ eventId: `${tag}-${i}`, startTime: Date.now() + 3_600_000, eventTime }),
      ),
    );
  };
  const rows = async (tag: string): Promise<number> =>
    Number(
      (
        await database.query<{ n: string }>(
          `SELECT count(DISTINCT event_id) AS n FROM ${schema}.odds_snapshots WHERE event_id LIKE $1`,
          [`${tag}-%`],
        )
      ).rows[0]!.n,
    );

  beforeAll(async () => {
    config = testConfig();
    names = await provisionTopics(config);
    schema = randomId('bounded').replace('-', '_');
  });
  afterAll(async () => {
    await database.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await database.end();
  });

  it('a database that stops answering: the write is bounded, held and reported, and goes through once it answers', async () => {
    const proxy = await proxyTo(testStack().postgresUrl);
    const ctx = createRoleContext(
      testConfig({
        ODDSFLOW_TOPIC_PREFIX: config.topics.prefix,
        DATABASE_URL: via(testStack().postgresUrl, proxy),
        ODDSFLOW_SINKS: 'timescale',
        ODDSFLOW_DB_SCHEMA: schema,
        ODDSFLOW_SINK_WRITE_TIMEOUT_S: '2',
        ODDSFLOW_HOLD_BACKOFF_MAX_S: '2',
        ODDSFLOW_READY_CACHE_MS: '0',
      }),
      silentLogger,
      createMetrics(),
    );
    const role = await startSinks(ctx);
    roles.push(role);
    proxy.stall();
    await publishBooks(5, 'stalled');

    expect(
      await until(async () => (await holding(ctx.metrics)).includes('timescale:STORE_WRITE_TIMEOUT'), 30_000),
      'a write to a database that never answers was not reported',
    ).toBe(true);
    const readiness = await readinessOf(ctx, [role]).status();
    expect(readiness.ready).toBe(false);
    expect(readiness.checks.holds).toBe('HOLDING:timescale:STORE_WRITE_TIMEOUT');
    expect(await rows('stalled')).toBe(0);

    await proxy.restore();
    expect(await until(async () => (await rows('stalled')) === 5, 60_000)).toBe(true);
    expect(await until(async () => (await holding(ctx.metrics)).length === 0, 30_000)).toBe(true);
    await role.stop();
  });

  it('SIGTERM while a write hangs: the role exits within ODDSFLOW_STOP_TIMEOUT_S, saying so', async () => {
    const proxy = await proxyTo(testStack().postgresUrl);
    const role = spawnOddsflow(
      ['run', '--role', 'sinks'],
      roleEnv(config, {
        DATABASE_URL: via(testStack().postgresUrl, proxy),
        REDIS_URL: testStack().redisUrl,
        ODDSFLOW_SINKS: 'timescale',
        ODDSFLOW_DB_SCHEMA: schema,
        ODDSFLOW_SINK_WRITE_TIMEOUT_S: '600',
        ODDSFLOW_STOP_TIMEOUT_S: '2',
        ODDSFLOW_LOG_LEVEL: 'info',
      }),
    );
    expect(
      await until(() => Promise.resolve(role.output().includes('running sinks')), 60_000),
      role.output(),
    ).toBe(true);
    proxy.stall();
    await publishBooks(3, 'hung');
    // The sink fetches them within a second or two and its write then waits on the stalled socket.
    await new Promise((r) => setTimeout(r, 4_000));
    const stoppedAt = Date.now();
    role.kill('SIGTERM');
    const code = await exitedWithin(role, 20_000);
    expect(code, role.output()).toBe(1);
    expect(Date.now() - stoppedAt).toBeLessThan(15_000);
    expect(role.output()).toContain('ODDSFLOW_STOP_TIMEOUT_S');
    await proxy.restore();
  });
});

describe('readiness during a Redis outage', () => {
  it('answers every concurrent /readyz at once with a reason code, without queueing commands', async () => {
    const proxy = await proxyTo(testStack().redisUrl);
    const config = testConfig({
      REDIS_URL: via(testStack().redisUrl, proxy),
      ODDSFLOW_SINKS: 'redis',
      ODDSFLOW_READY_CACHE_MS: '1000',
      ODDSFLOW_READY_CHECK_TIMEOUT_MS: '1000',
    });
    await provisionTopics(config);
    const ctx = createRoleContext(config, silentLogger, createMetrics());
    const role = await startSinks(ctx);
    roles.push(role);
    const health = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      metrics: ctx.metrics,
      readiness: readinessOf(ctx, [role]),
    });
    try {
      const base = `http://127.0.0.1:${health.port}`;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);

      await proxy.refuse();
      // ioredis notices the closed connection and starts reconnecting.
      await new Promise((r) => setTimeout(r, 1_500));
      const began = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 40 }, () => fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) })),
      );
      expect(Date.now() - began).toBeLessThan(5_000);
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        const body = (await answer.json()) as { checks: Record<string, string> };
        expect(body.checks.redis).toBe('REDIS_NOT_CONNECTED');
        expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|redis:\/\//);
      }
      await proxy.restore();
      expect(
        await until(async () => (await fetch(`${base}/readyz`)).status === 200, 30_000),
        'readiness never recovered',
      ).toBe(true);
    } finally {
      await health.close();
    }
  });
});
