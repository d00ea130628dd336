import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { onTestFinished } from 'vitest';
import type { ConnectorDeps } from '../../../../connectors/contract.js';
import type { MarketChangeMessage } from '../../../../connectors/betfair/protocol.js';
import { marketChangeMessageSchema } from '../../../../connectors/betfair/protocol.js';
import type { RawMarketBook } from '../../../../src/core/generated/avro-types.js';
import { createLogger } from '../../../../src/core/logger.js';
import { createMetrics, type Metrics } from '../../../../src/core/metrics.js';
import { createBreakerFactory, defaultBreakerSettings } from '../../../../src/core/resilience/breaker.js';
import { captureLogs, type LogLine } from '../../../helpers/logs.js';
import { CollectingPublisher } from '../../../helpers/connector-deps.js';
import { RecordedStatus } from '../../../helpers/connector-status.js';

export const fixtureDir = join(import.meta.dirname, '../../../fixtures/betfair');
export const fixture = (name: string) => join(fixtureDir, name);

/** The lines of a fixture (gzipped or not), blank lines dropped. */
export function fixtureLines(name: string): string[] {
  const bytes = readFileSync(fixture(name));
  const text = (name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  return text.split(/\r?\n/).filter((l) => l.trim().length > 0);
}

export function fixtureMessages(name: string): MarketChangeMessage[] {
  return fixtureLines(name).map((l) => marketChangeMessageSchema.parse(JSON.parse(l)));
}

export interface TestDeps {
  deps: ConnectorDeps;
  publisher: CollectingPublisher;
  metrics: Metrics;
  logs: () => LogLine[];
  /** What the connector reported for /readyz. */
  status: RecordedStatus;
}

/**
 * Real logger (captured), metrics and breakers; a state directory removed after the test unless
 * one is given (a restarted connector shares its predecessor's directory and publisher).
 */
export async function testDeps(
  shared: { stateDir?: string; publisher?: CollectingPublisher } = {},
): Promise<TestDeps> {
  const dir = shared.stateDir ?? (await mkdtemp(join(tmpdir(), 'oddsflow-betfair-test-')));
  if (shared.stateDir === undefined) onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const capture = captureLogs();
  const logger = createLogger({ level: 'debug', destination: capture.stream });
  const metrics = createMetrics();
  const publisher = shared.publisher ?? new CollectingPublisher();
  // Breakers half-open after 100 ms instead of 15 s, so a test can see one open and recover.
  const breakers = createBreakerFactory(logger, metrics, { ...defaultBreakerSettings, resetTimeoutMs: 100 });
  const status = new RecordedStatus();
  const deps: ConnectorDeps = {
    logger,
    metrics,
    publisher,
    breakers,
    clock: { now: () => 0 },
    stateDir: dir,
    status,
  };
  return { deps, publisher, metrics, logs: capture.lines, status };
}

/** A book without its arrival time: what two runs of the same stream must agree on. */
export function comparable(book: RawMarketBook): Omit<RawMarketBook, 'receivedAt'> {
  const { receivedAt: _receivedAt, ...rest } = book;
  return rest;
}
