import type { SinkModule } from './contract.js';
import { redisSink } from './redis/index.js';
import { timescaleSink } from './timescale/index.js';

/** Every sink by name; enabled by ODDSFLOW_SINKS. Adding a store = one line here. */
export const sinkModules = {
  timescale: timescaleSink,
  redis: redisSink,
} as const satisfies Record<string, SinkModule>;

export type SinkName = keyof typeof sinkModules;

export const sinkNames = Object.keys(sinkModules) as SinkName[];
