import { onTestFinished } from 'vitest';
import type { RawMarketBook, RawResult } from '../../../../src/core/generated/avro-types.js';
import { createLogger, type Logger } from '../../../../src/core/logger.js';
import { createMetrics, type Metrics } from '../../../../src/core/metrics.js';
import { createBreakerFactory, type BreakerSettings } from '../../../../src/core/resilience/breaker.js';
import type { ConnectorDeps, ParseFailure, RawPublisher } from '../../../../connectors/contract.js';
import {
  startOddsApiSimulator,
  type OddsApiSimulator,
  type SimulatorOptions,
} from '../../../../connectors/the-odds-api/simulator.js';
import { RecordedStatus } from '../../../helpers/connector-status.js';

export interface LogLine {
  level: string;
  msg: string;
  component?: string;
  name?: string;
  state?: string;
  [key: string]: unknown;
}

/** A real pino logger writing JSON lines into an array, as pino's own tests do. */
export function capturedLogger(level: 'debug' | 'info' = 'info'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger({
    level,
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  });
  return { logger, lines };
}

/** The project's RawPublisher, collecting in memory; `gate` lets a test hold publishing back. */
export class CollectingPublisher implements RawPublisher {
  readonly books: RawMarketBook[] = [];
  readonly results: RawResult[] = [];
  readonly deadLetters: ParseFailure[] = [];
  gate: Promise<void> | undefined;
  publishing = 0;

  async publishBooks(books: readonly RawMarketBook[]): Promise<void> {
    this.publishing++;
    await this.gate;
    this.books.push(...books);
  }

  publishResults(results: readonly RawResult[]): Promise<void> {
    this.results.push(...results);
    return Promise.resolve();
  }

  deadLetter(failure: ParseFailure): Promise<void> {
    this.deadLetters.push(failure);
    return Promise.resolve();
  }
}

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

/** Sums a counter's values whose labels match. */
export async function counterValue(
  metric: { get(): Promise<{ values: Array<{ value: number; labels: Record<string, string | number> }> }> },
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}
