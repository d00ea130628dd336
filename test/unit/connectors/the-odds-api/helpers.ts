import { onTestFinished } from 'vitest';
import { createMetrics, type Metrics } from '../../../../src/core/metrics.js';
import { createBreakerFactory, type BreakerSettings } from '../../../../src/core/resilience/breaker.js';
import type { ConnectorDeps } from '../../../../connectors/contract.js';
import {
  startOddsApiSimulator,
  type OddsApiSimulator,
  type SimulatorOptions,
} from '../../../../connectors/the-odds-api/simulator.js';
import { CollectingPublisher } from '../../../helpers/connector-deps.js';
import { RecordedStatus } from '../../../helpers/connector-status.js';
import { capturedLogger, type LogLine } from '../../../helpers/logs.js';

export const fastBreaker: BreakerSettings = {
  timeoutMs: 5_000,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 150,
  rollingCountTimeoutMs: 10_000,
  volumeThreshold: 3,
};

export interface TestDeps extends ConnectorDeps {
  publisher: CollectingPublisher;
  status: RecordedStatus;
  metrics: Metrics;
  lines: LogLine[];
}

export function testDeps(breaker: BreakerSettings = fastBreaker, level: 'debug' | 'info' = 'info'): TestDeps {
  const { logger, lines } = capturedLogger(level);
  const metrics = createMetrics();
  return {
    logger,
    lines,
    metrics,
    publisher: new CollectingPublisher(),
    breakers: createBreakerFactory(logger, metrics, breaker),
    clock: { now: () => Date.now() },
    stateDir: '/nonexistent',
    status: new RecordedStatus(),
  };
}

/** A simulator on 127.0.0.1:0, stopped after the test. */
export async function simulator(options: SimulatorOptions = {}): Promise<OddsApiSimulator> {
  const sim = await startOddsApiSimulator(options);
  onTestFinished(() => sim.stop());
  return sim;
}
