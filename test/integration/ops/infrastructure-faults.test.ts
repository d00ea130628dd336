import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/app/config/load.js';
import { createKafka } from '../../../src/core/kafka/client.js';
import type { TopicNames } from '../../../src/core/kafka/topics.js';
import { createMetrics, type Metrics } from '../../../src/core/metrics.js';
import {
  createRoleContext,
  readinessOf,
  type RoleContext,
  type RunningRole,
} from '../../../src/app/roles/context.js';
import { startProcessors } from '../../../src/app/roles/processors.js';
import { startSinks } from '../../../src/app/roles/sinks.js';
import { startHttpProxy, type HttpProxy } from '../../helpers/http-proxy.js';
import { endOffsetSum } from '../../helpers/kafka.js';
import { publishNormalizedBooks, publishRawBooks } from '../../helpers/publish.js';
import { rawBooks } from '../../helpers/raw-books.js';
import { provisionTopics, randomId, silentLogger, testConfig, testStack } from '../../helpers/stack.js';
import { book } from '../../helpers/records.js';
import { until } from '../../helpers/wait.js';
import { holding } from '../../helpers/holds.js';

async function faults(metrics: Metrics, component: string, code: string): Promise<number> {
  const { values } = await metrics.infrastructureFaults.get();
  return values.find((v) => v.labels.component === component && v.labels.code === code)?.value ?? 0;
}

const started: RunningRole[] = [];
afterAll(async () => {
  for (const role of started.reverse()) await role.stop().catch(() => undefined);
});

/** Starts a role in this process on `config`; its context exposes metrics and holds. */
async function start(
  config: Config,
  role: (ctx: RoleContext) => Promise<RunningRole>,
): Promise<{ ctx: RoleContext; role: RunningRole }> {
  const ctx = createRoleContext(config, silentLogger, createMetrics());
  const running = await role(ctx);
  started.push(running);
  return { ctx, role: running };
}

describe('infrastructure faults hold the stream instead of dead-lettering it', () => {
  let real: Config;
  let names: TopicNames;
  let keyPrefix: string;
  const redis = new Redis(testStack().redisUrl);
  const kafka = () => createKafka(real.kafka, { logger: silentLogger });
  const redisKeys = async () => (await redis.keys(`${keyPrefix}*`)).length;

  beforeAll(async () => {
    real = testConfig();
    names = await provisionTopics(real);
    keyPrefix = `${randomId('faults')}:`;
  });
  afterAll(async () => {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('a registry answering 401, then 404 for schema ids: processors and sinks hold, nothing is dead-lettered, all flows once it answers', async () => {
    const proxy: HttpProxy = await startHttpProxy(real.registry.url);
    const books = rawBooks(30, { baseTime: Date.now() - 3_600_000 });
    await publishRawBooks(real, names, books);

    // Credentials changed under the roles: every registry call is refused.
    proxy.answer(401);
    const throughProxy = testConfig({
      ODDSFLOW_TOPIC_PREFIX: real.topics.prefix,
      SCHEMA_REGISTRY_URL: proxy.url,
      ODDSFLOW_SINKS: 'redis',
      ODDSFLOW_REDIS_KEY_PREFIX: keyPrefix,
      ODDSFLOW_INSTANCE_ID: randomId('registry-faults'),
      ODDSFLOW_STATE_WARMUP_MINUTES: '0',
      ODDSFLOW_HOLD_BACKOFF_MAX_S: '2',
      ODDSFLOW_READY_CACHE_MS: '0',
    });
    const processors = await start(throughProxy, startProcessors);
    const sinks = await start(throughProxy, startSinks);

    expect(
      await until(async () => (await holding(processors.ctx.metrics)).length > 0, 60_000),
      'the processors never reported holding',
    ).toBe(true);
    expect(await holding(processors.ctx.metrics)).toContain('prepare:SCHEMA_REGISTRY_REFUSED');
    const readiness = await readinessOf(processors.ctx, [processors.role]).status();
    expect(readiness.ready).toBe(false);
    expect(readiness.checks.holds).toBe('HOLDING:prepare:SCHEMA_REGISTRY_REFUSED');

    // A registry rebuilt without its schemas: registration works, the ids on the records are unknown.
    proxy.answer(404, (method, path) => method === 'GET' && path.includes('/schemas/ids/'));
    const before = await faults(processors.ctx.metrics, 'prepare', 'SCHEMA_REGISTRY_REFUSED');
    expect(
      await until(
        async () => (await faults(processors.ctx.metrics, 'prepare', 'SCHEMA_REGISTRY_REFUSED')) > before,
        30_000,
      ),
    ).toBe(true);
    expect(proxy.requests.some((r) => /^GET .*\/schemas\/ids\/\d+/.test(r))).toBe(true);
    expect(await endOffsetSum(kafka(), names.deadLetters)).toBe(0);
    expect(await endOffsetSum(kafka(), names.oddsNormalized)).toBe(0);

    // Fixed: everything flows through both roles, and nothing was dead-lettered on the way.
    proxy.answer(null);
    expect(
      await until(async () => (await endOffsetSum(kafka(), names.oddsNormalized)) >= books.length, 90_000),
      'odds.normalized never received the held books',
    ).toBe(true);
    expect(await until(async () => (await redisKeys()) > 0, 60_000), 'Redis never got the books').toBe(true);
    expect(await endOffsetSum(kafka(), names.deadLetters)).toBe(0);
    expect(await until(async () => (await holding(processors.ctx.metrics)).length === 0, 30_000)).toBe(true);
    expect((await readinessOf(processors.ctx, [processors.role]).status()).checks.holds).toBe('ok');
    expect(await holding(sinks.ctx.metrics)).toEqual([]);
    await sinks.role.stop();
    await processors.role.stop();
  });

  it('a Redis user without permission for EVALSHA (NOPERM): the sink holds, nothing is dead-lettered, all flows once granted', async () => {
    const user = randomId('oddsflow-test');
    const password = randomBytes(16).toString('hex');
    // May log in and load scripts, may not run them: an ACL change made under a running sink.
    await redis.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all', '-evalsha');
    try {
      const prefix = `${randomId('acl')}.`;
      const config = testConfig({ ODDSFLOW_TOPIC_PREFIX: prefix });
      const aclNames = await provisionTopics(config);
      const eventTime = Date.now() - 60_000;
      await publishNormalizedBooks(
        config,
        aclNames,
        Array.from({ length: 10 }, (_, i) =>
          book({ eventId: `acl-event-${i}`, startTime: Date.now() + 3_600_000, eventTime }),
        ),
      );

      const url = new URL(testStack().redisUrl);
      url.username = user;
      url.password = password;
      const sinks = await start(
        testConfig({
          ODDSFLOW_TOPIC_PREFIX: prefix,
          REDIS_URL: url.toString(),
          ODDSFLOW_SINKS: 'redis',
          ODDSFLOW_REDIS_KEY_PREFIX: keyPrefix,
          ODDSFLOW_HOLD_BACKOFF_MAX_S: '2',
          ODDSFLOW_READY_CACHE_MS: '0',
        }),
        startSinks,
      );
      expect(
        await until(async () => (await faults(sinks.ctx.metrics, 'redis', 'REDIS_REFUSED')) >= 3, 60_000),
        'the sink never held on NOPERM',
      ).toBe(true);
      expect(await holding(sinks.ctx.metrics)).toEqual(['redis:REDIS_REFUSED']);
      const readiness = await readinessOf(sinks.ctx, [sinks.role]).status();
      expect(readiness.checks.holds).toBe('HOLDING:redis:REDIS_REFUSED');
      expect(await redis.keys(`${keyPrefix}odds:acl-event-*`)).toEqual([]);
      expect(
        await endOffsetSum(createKafka(config.kafka, { logger: silentLogger }), aclNames.deadLetters),
      ).toBe(0);

      await redis.call('ACL', 'SETUSER', user, '+evalsha');
      expect(
        await until(async () => (await redis.keys(`${keyPrefix}odds:acl-event-*`)).length === 10, 60_000),
        'the held books never reached Redis',
      ).toBe(true);
      expect(
        await endOffsetSum(createKafka(config.kafka, { logger: silentLogger }), aclNames.deadLetters),
      ).toBe(0);
      expect(await until(async () => (await holding(sinks.ctx.metrics)).length === 0, 30_000)).toBe(true);
      await sinks.role.stop();
    } finally {
      await redis.call('ACL', 'DELUSER', user);
    }
  });
});
