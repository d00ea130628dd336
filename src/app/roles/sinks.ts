import type { SinkModule } from '../../../sinks/contract.js';
import { sinkModules, type SinkName } from '../../../sinks/registry.js';
import { runSink } from '../../../sinks/runner.js';
import type { Config } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import { createProducer } from '../../core/kafka/client.js';
import type { GroupIds } from '../../core/kafka/groups.js';
import { componentLogger, type Logger } from '../../core/logger.js';
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

/** A sink's store client as the application opens it: what the sink gets, a probe, a close. */
interface OpenStore {
  deps: object;
  /** The /readyz check's name and the check. */
  readiness: [string, () => Promise<void>];
  close(): Promise<unknown>;
}

/** What each sink needs from the application besides its settings: its store and its group. */
const stores: Record<
  SinkName,
  { group(ids: GroupIds): string; open(config: Config, log: Logger): OpenStore }
> = {
  timescale: {
    group: (ids) => ids.sinkTimescale,
    open(config, log) {
      const pool = createDatabasePool(config, log);
      const probe = async () => {
        await pool.query('SELECT 1').catch((err: unknown) => {
          throw new NotReady('DATABASE_UNREACHABLE', describeError(err));
        });
      };
      return { deps: { pool }, readiness: ['database', probe], close: () => pool.end() };
    },
  },
  redis: {
    group: (ids) => ids.sinkRedis,
    open(config, log) {
      const redis = createRedisClient(config, log);
      const probe = async () => {
        // While ioredis reconnects, a PING would wait in its offline queue, one more per probe.
        if (redis.status !== 'ready') throw new NotReady('REDIS_NOT_CONNECTED', `redis: ${redis.status}`);
        await redis.ping().catch((err: unknown) => {
          throw new NotReady('REDIS_UNREACHABLE', describeError(err));
        });
      };
      return {
        deps: { redis },
        readiness: ['redis', probe],
        close: () => redis.quit().catch(() => redis.disconnect()),
      };
    },
  },
};

/** A sink module's config from the settings it declared. */
function sinkConfig(module: SinkModule, settings: Settings): unknown {
  return module.configSchema.parse(module.settings.configFrom(settings));
}

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
  const running: ConsumerLoop[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  const readiness: RunningRole['readiness'] = { kafka: kafkaReadiness(ctx), holds: holdsCheck(ctx.holds) };

  for (const name of s.ODDSFLOW_SINKS) {
    const module = sinkModules[name] as SinkModule;
    const store = stores[name].open(ctx.config, log);
    closers.push(() => store.close());
    const sink = module.create(sinkConfig(module, s), { ...sinkDeps, ...store.deps });
    running.push(
      await supervised(ctx, sink.name, () =>
        runSink(sink, runnerDeps, {
          groupId: stores[name].group(ctx.groups),
          maxRecordsPerChunk: s.ODDSFLOW_SINK_BATCH_RECORDS,
          holdBackoff: { initialMs: 500, maxMs: s.ODDSFLOW_HOLD_BACKOFF_MAX_S * 1000 },
          writeTimeoutMs: s.ODDSFLOW_SINK_WRITE_TIMEOUT_S * 1000,
          sessionTimeoutMs: ctx.config.kafka.consumerSessionTimeoutMs,
          fetchMaxBytes: ctx.config.kafka.consumerFetchMaxBytes,
          partitionsConcurrently: s.ODDSFLOW_SINK_PARTITIONS_CONCURRENTLY,
        }),
      ),
    );
    const [check, probe] = store.readiness;
    readiness[check] = probe;
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
