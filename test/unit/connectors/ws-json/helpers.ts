import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Counter, Gauge } from 'prom-client';
import { onTestFinished } from 'vitest';
import type { RawMarketBook, RawResult } from '../../../../src/core/generated/avro-types.js';
import { createLogger, type Logger } from '../../../../src/core/logger.js';
import { createMetrics } from '../../../../src/core/metrics.js';
import { createBreakerFactory } from '../../../../src/core/resilience/breaker.js';
import {
  systemClock,
  type ConnectorDeps,
  type ParseFailure,
  type RawPublisher,
} from '../../../../connectors/contract.js';
import { RecordedStatus } from '../../../helpers/connector-status.js';

/** The project's RawPublisher contract, in memory: keeps what it is given, in order. */
export class CollectingPublisher implements RawPublisher {
  readonly books: RawMarketBook[] = [];
  readonly results: RawResult[] = [];
  readonly deadLetters: ParseFailure[] = [];
  /** Calls of publishBooks to fail (with a retriable error) before accepting. */
  failNextBookCalls = 0;

  publishBooks(books: readonly RawMarketBook[]): Promise<void> {
    if (this.failNextBookCalls > 0) {
      this.failNextBookCalls -= 1;
      return Promise.reject(new Error('broker not reachable'));
    }
    this.books.push(...books);
    return Promise.resolve();
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

export interface CapturedLogs {
  logger: Logger;
  lines: Record<string, unknown>[];
  messages(): string[];
}

/** A real pino logger writing JSON lines into an array, so tests assert on what was logged. */
export function captureLogs(): CapturedLogs {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines, messages: () => lines.map((l) => String(l.msg)) };
}

export function connectorDeps(publisher: RawPublisher, logger: Logger): ConnectorDeps {
  const metrics = createMetrics();
  const stateDir = mkdtempSync(join(tmpdir(), 'ws-json-'));
  onTestFinished(() => rmSync(stateDir, { recursive: true, force: true }));
  return {
    logger,
    publisher,
    metrics,
    breakers: createBreakerFactory(logger, metrics),
    clock: systemClock,
    stateDir,
    status: new RecordedStatus(),
  };
}

export async function metricValue(
  metric: Counter<string> | Gauge<string>,
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return match?.value ?? 0;
}
