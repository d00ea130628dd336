import type { BackfillBenchOptions } from './scenarios/backfill.js';
import type { BacktestBenchOptions } from './scenarios/backtest.js';
import type { ClientAbOptions } from './scenarios/client-ab.js';
import type { FloorOptions } from './scenarios/floor.js';
import type { LatencyOptions } from './scenarios/latency.js';
import type { SinkEmbeddedOptions } from './scenarios/sink-embedded.js';

export const scenarioNames = [
  'betfair_decode',
  'sink_timescale',
  'sink_embedded',
  'passthrough',
  'pipeline',
  'floor',
  'latency',
  'backfill',
  'backtest',
  'client_ab',
] as const;
export type ScenarioName = (typeof scenarioNames)[number];

/**
 * Run only when `--only` names them: the A/B of a choice (issue 14's "Client" lever), not a figure
 * of the project to follow from run to run.
 */
export const optInScenarioNames: readonly ScenarioName[] = ['client_ab'];

/** What a run without `--only` measures. */
export const defaultScenarioNames: readonly ScenarioName[] = scenarioNames.filter(
  (s) => !optInScenarioNames.includes(s),
);

/**
 * What `--quick` runs without `--only`: every figure issue 14's goals name, in under two minutes.
 * The history engines and the pipeline's floor run in the full run or with --only.
 */
export const quickScenarioNames: readonly ScenarioName[] = defaultScenarioNames.filter(
  (s) => s !== 'backfill' && s !== 'backtest' && s !== 'floor',
);

/** How much work each scenario does: `quick` takes about 2 minutes, `full` longer for steadier numbers. */
export interface Profile {
  decode: { seconds: number };
  sink: { changes: number; batchRecords: number; repeats: number };
  sinkEmbedded: Omit<SinkEmbeddedOptions, 'compareUrl'>;
  /** Simulated market changes whose connector output is the odds.raw backlog (about 2 books each). */
  backlogChanges: number;
  floor: FloorOptions;
  passthrough: { messages: number; repeats: number };
  latency: LatencyOptions;
  backfill: BackfillBenchOptions;
  backtest: BacktestBenchOptions;
  clientAb: ClientAbOptions;
}

/**
 * 100 racing markets, 25 of them watched. The target load is 2,000 changes a second (20 a second
 * per market); the lower one, which this machine's pipeline keeps up with, comes first and shows
 * the latency of the path itself.
 */
const latency = (
  seconds: number,
  warmupSeconds: number,
  startupWarmupMaxSeconds: number,
  baselineSeconds: number,
): LatencyOptions => ({
  markets: 100,
  sampledMarkets: 25,
  pollPauseMs: 2,
  baselineSeconds,
  startupWarmupMaxSeconds,
  loads: [
    { name: 'latency_200', perSecond: 200, warmupSeconds, seconds },
    { name: 'latency_2000', perSecond: 2_000, warmupSeconds, seconds },
  ],
});

export const profiles: Record<'quick' | 'full', Profile> = {
  quick: {
    decode: { seconds: 1 },
    sink: { changes: 2_000, batchRecords: 1_000, repeats: 2 },
    // Half the rows and no replay: the embedded database writes about a third as fast.
    sinkEmbedded: { changes: 1_000, batchRecords: 1_000, repeats: 1, replay: false },
    backlogChanges: 3_000,
    floor: { changes: 3_000, rounds: 5 },
    passthrough: { messages: 20_000, repeats: 1 },
    latency: latency(6, 2, 2, 3),
    backfill: { copies: 2 },
    backtest: { changes: 8_000 },
    clientAb: { messages: 20_000, repeats: 1 },
  },
  full: {
    decode: { seconds: 10 },
    sink: { changes: 15_000, batchRecords: 1_000, repeats: 3 },
    sinkEmbedded: { changes: 15_000, batchRecords: 1_000, repeats: 3, replay: true },
    backlogChanges: 40_000,
    floor: { changes: 3_000, rounds: 12 },
    passthrough: { messages: 200_000, repeats: 3 },
    latency: latency(60, 10, 60, 60),
    backfill: { copies: 16 },
    backtest: { changes: 60_000 },
    clientAb: { messages: 50_000, repeats: 2 },
  },
};
