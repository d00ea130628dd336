import { z } from 'zod';

/** Six hours: a market quiet that long (event time) is dropped; ODDSFLOW_FEATURES_IDLE_MINUTES's default too. */
export const defaultFeaturesIdleMinutes = 360;

export const featuresConfigSchema = z.strictObject({
  /** Markets held at once; the least recently updated is dropped beyond it. */
  maxMarkets: z.int().positive().default(10_000),
  /**
   * A market with no record for this long (in event time) is dropped, from this state and from
   * the cross-book state alike: the enrich stage sweeps both with it.
   */
  idleMs: z
    .int()
    .positive()
    .default(defaultFeaturesIdleMinutes * 60_000),
  /** Event time between two sweeps for idle markets (a sweep visits every market of both states). */
  sweepEveryMs: z.int().positive().default(60_000),
  /** History granularity: the latest point per bucket is kept (see windows.ts). */
  resolutionMs: z.int().positive().max(60_000).default(1_000),
});

export type FeaturesConfig = z.output<typeof featuresConfigSchema>;
