import { z } from 'zod';
import { positiveInt } from '../../src/core/config/settings.js';
import type { SinkSettings } from '../contract.js';
import { redisDefaults, type RedisSinkConfig } from './config.js';

const shape = {
  ODDSFLOW_REDIS_KEY_PREFIX: z.string().default(redisDefaults.keyPrefix),
  ODDSFLOW_REDIS_TTL_AFTER_START_S: positiveInt.default(redisDefaults.ttlAfterStartSeconds),
};

/** The Redis sink's environment settings; the rest of its config keeps its defaults. */
export const redisSettings = {
  shape,
  configFrom: (s: z.output<z.ZodObject<typeof shape>>): Partial<RedisSinkConfig> => ({
    keyPrefix: s.ODDSFLOW_REDIS_KEY_PREFIX,
    ttlAfterStartSeconds: s.ODDSFLOW_REDIS_TTL_AFTER_START_S,
  }),
} satisfies SinkSettings;
