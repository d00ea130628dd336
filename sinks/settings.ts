import { z } from 'zod';
import { commaSeparated, positiveInt } from '../src/core/config/settings.js';
import { sinkModules, sinkNames, type SinkName } from './registry.js';

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;
type DeclaredShapes = UnionToIntersection<(typeof sinkModules)[SinkName]['settings']['shape']>;

/**
 * The sinks' settings (src/app/config/settings.ts adds them to the kernel's): which run, how
 * they batch, the database pool of the stores, and what each sink module declares.
 */
export const sinkSettingsShape = {
  ODDSFLOW_SINKS: commaSeparated
    .pipe(z.array(z.enum(sinkNames)).min(1, 'name at least one sink'))
    .default(sinkNames),
  ODDSFLOW_SINK_BATCH_RECORDS: positiveInt.max(50_000).default(1000),
  ODDSFLOW_SINK_WRITE_TIMEOUT_S: positiveInt.max(3_600).default(60),
  ODDSFLOW_SINK_PARTITIONS_CONCURRENTLY: positiveInt.max(64).default(6),
  ODDSFLOW_DB_POOL_MAX: positiveInt.max(100).default(4),
  ODDSFLOW_DB_QUERY_TIMEOUT_MS: positiveInt.min(100).default(30_000),
  ...(Object.assign({}, ...Object.values(sinkModules).map((m) => m.settings.shape)) as DeclaredShapes),
};
