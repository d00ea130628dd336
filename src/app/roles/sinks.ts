import { redisSink } from '../../../sinks/redis/index.js';
import { runSink } from '../../../sinks/runner.js';
import { timescaleSink } from '../../../sinks/timescale/index.js';
import { createProducer } from '../../core/kafka/client.js';
import { componentLogger } from '../../core/logger.js';
import type { ConsumerLoop } from '../../core/kafka/supervised-loop.js';
import { describeError } from '../../core/errors.js';
import { NotReady } from '../../core/health/readiness.js';
import {
  aliveCheck,
  holdsCheck,
  kafkaReadiness,
  supervised,
  type RoleContext,
  type RunningRole,
} from './context.js';
import { createDatabasePool, createRedisClient } from './stores.js';

const never = (value: string): string | null => (value === 'never' ? null : value);

/**
 * The sinks role: one consumer group per store, so a Redis outage never holds back TimescaleDB
 * (and the other way round). Each commits its offsets only after its store has the batch.
 */
export async function startSinks(ctx: RoleContext): Promise<RunningRole> {
  const s = ctx.config.settings;
  const log = componentLogger(ctx.logger, 'sinks');
  const producer = createProducer(ctx.kafka);
  await producer.connect();
  const runnerDeps = {
    kafka: ctx.kafka,
    producer,
    serde: ctx.serde,
    names: ctx.names,
    logger: ctx.logger,
    metrics: ctx.metrics,
    clock: ctx.clock,
    holds: ctx.holds,
  };
  const sinkDeps = { logger: ctx.logger, metrics: ctx.metrics, clock: ctx.clock };
  const retry = { initialMs: 500, maxMs: s.ODDSFLOW_HOLD_BACKOFF_MAX_S * 1000 };
  const running: ConsumerLoop[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  const readiness: RunningRole['readiness'] = { kafka: kafkaReadiness(ctx), holds: holdsCheck(ctx.holds) };
  const writeTimeoutMs = s.ODDSFLOW_SINK_WRITE_TIMEOUT_S * 1000;

  if (s.ODDSFLOW_SINKS.includes('timescale')) {
    const pool = createDatabasePool(ctx.config, log);
    closers.push(() => pool.end());
    const sink = timescaleSink.create(
      timescaleSink.configSchema.parse({
        schema: s.ODDSFLOW_DB_SCHEMA,
        timescale: s.ODDSFLOW_TIMESCALE,
        compressAfter: never(s.ODDSFLOW_COMPRESS_AFTER),
        retention: never(s.ODDSFLOW_RETENTION),
      }),
      { ...sinkDeps, pool },
    );
    running.push(
      await supervised(ctx, sink.name, () =>
        runSink(sink, runnerDeps, {
          groupId: ctx.groups.sinkTimescale,
          maxBatchRecords: s.ODDSFLOW_SINK_BATCH_RECORDS,
          retry,
          writeTimeoutMs,
          sessionTimeoutMs: ctx.config.kafka.consumerSessionTimeoutMs,
          partitionsConcurrently: ctx.config.kafka.partitionsConcurrently,
        }),
      ),
    );
    readiness.database = async () => {
      await pool.query('SELECT 1').catch((err: unknown) => {
        throw new NotReady('DATABASE_UNREACHABLE', describeError(err));
      });
    };
  }
  if (s.ODDSFLOW_SINKS.includes('redis')) {
    const redis = createRedisClient(ctx.config, log);
    closers.push(() => redis.quit().catch(() => redis.disconnect()));
    const sink = redisSink.create(
      redisSink.configSchema.parse({
        keyPrefix: s.ODDSFLOW_REDIS_KEY_PREFIX,
        ttlAfterStartSeconds: s.ODDSFLOW_REDIS_TTL_AFTER_START_S,
      }),
      { ...sinkDeps, redis },
    );
    running.push(
      await supervised(ctx, sink.name, () =>
        runSink(sink, runnerDeps, {
          groupId: ctx.groups.sinkRedis,
          maxBatchRecords: s.ODDSFLOW_SINK_BATCH_RECORDS,
          retry,
          writeTimeoutMs,
          sessionTimeoutMs: ctx.config.kafka.consumerSessionTimeoutMs,
          partitionsConcurrently: ctx.config.kafka.partitionsConcurrently,
        }),
      ),
    );
    readiness.redis = async () => {
      // While ioredis reconnects, a PING would wait in its offline queue, one more per probe.
      if (redis.status !== 'ready') throw new NotReady('REDIS_NOT_CONNECTED', `redis: ${redis.status}`);
      await redis.ping().catch((err: unknown) => {
        throw new NotReady('REDIS_UNREACHABLE', describeError(err));
      });
    };
  }
  const failed = Promise.race(running.map((r) => r.failed));
  readiness.consumers = aliveCheck(failed);
  return {
    name: 'sinks',
    readiness,
    failed,
    async stop() {
      await Promise.all(running.map((r) => r.stop()));
      await producer.disconnect();
      for (const close of closers) await close();
    },
  };
}
