import type { Redis } from 'ioredis';
import { StoreError } from '../../src/core/errors.js';
import { componentLogger } from '../../src/core/logger.js';
import { withTimeout } from '../../src/core/resilience/timeout.js';
import type { Sink, SinkDepsBase, SinkModule } from '../contract.js';
import { configSchema, type RedisSinkConfig } from './config.js';
import { redisSettings } from './settings.js';
import { isNoScript, storeErrorFromRedis } from './errors.js';
import { planWrites, type HashWrite } from './layout.js';
import { writeNewerScript } from './script.js';

export { configSchema } from './config.js';
export type { RedisSinkConfig } from './config.js';

export interface RedisSinkDeps extends SinkDepsBase {
  /** Owned by the caller; its retry and offline-queue options decide how an outage looks here. */
  redis: Redis;
}

type PipelineResult = [error: Error | null, result: unknown][];

const noAnswer = (what: string, ms: number) => () =>
  new StoreError('REDIS_UNAVAILABLE', `redis: no answer to ${what} within ${ms} ms`);

export function createRedisSink(config: RedisSinkConfig, deps: RedisSinkDeps): Sink {
  const { redis, metrics, clock } = deps;
  const log = componentLogger(deps.logger, 'sink', 'redis');
  let sha: string | undefined;

  const loadScript = async (): Promise<string> => {
    const loaded = await withTimeout(
      redis.script('LOAD', writeNewerScript),
      config.writeTimeoutMs,
      noAnswer('SCRIPT LOAD', config.writeTimeoutMs),
    );
    sha = String(loaded);
    return sha;
  };

  /** One round trip: an EVALSHA per hash, pipelined. */
  const send = async (writes: readonly HashWrite[], script: string): Promise<PipelineResult> => {
    const pipeline = redis.pipeline();
    for (const w of writes) {
      pipeline.evalsha(
        script,
        1,
        w.key,
        w.expireAt,
        ...w.fields.flatMap((f) => [f.field, f.t, f.o, f.value]),
      );
    }
    const results = await withTimeout(
      pipeline.exec(),
      config.writeTimeoutMs,
      noAnswer('the pipeline', config.writeTimeoutMs),
    );
    if (!results) throw new StoreError('REDIS_UNAVAILABLE', 'redis: the pipeline was discarded');
    return results;
  };

  return {
    name: 'redis',
    topics: ['oddsNormalized', 'oddsPricing'],

    async start() {
      try {
        await loadScript();
      } catch (err) {
        throw err instanceof StoreError ? err : storeErrorFromRedis(err, 'redis: SCRIPT LOAD');
      }
    },

    async writeBatch(records) {
      const writes = planWrites(records, config);
      if (writes.length === 0) return;
      try {
        let results = await send(writes, sha ?? (await loadScript()));
        // Redis restarted or SCRIPT FLUSH: load again and send the whole batch, which is idempotent.
        if (results.some(([err]) => isNoScript(err))) {
          log.info('write script missing on the server; loading it again');
          results = await send(writes, await loadScript());
        }
        const failure = results.find(([err]) => err !== null)?.[0];
        if (failure) throw failure;
      } catch (err) {
        throw err instanceof StoreError ? err : storeErrorFromRedis(err, 'redis: write');
      }
      const now = clock.now();
      for (const record of records) {
        if (record.topic === 'oddsNormalized' || record.topic === 'oddsPricing') {
          metrics.endToEndSeconds.observe({ store: 'redis' }, (now - record.value.eventTime) / 1000);
        }
      }
      log.debug({ records: records.length, keys: writes.length }, 'batch written');
    },

    async stop() {},
  };
}

export const redisSink: SinkModule<typeof configSchema, RedisSinkDeps, typeof redisSettings> = {
  name: 'redis',
  configSchema,
  settings: redisSettings,
  create: createRedisSink,
};
