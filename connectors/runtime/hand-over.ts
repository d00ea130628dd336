import { describeError, isRetriable, OddsflowError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import { retry, type BackoffPolicy } from '../../src/core/resilience/backoff.js';
import type { ParseFailure, RawPublisher } from '../contract.js';

/** Records of one kind and the payload they came from, to dead-letter if they are refused. */
export interface Delivery {
  kind: 'book' | 'result';
  count: number;
  send(): Promise<void>;
  payload(): Buffer | string;
}

/**
 * How a streaming connector hands records to its publisher: retried with backoff for as long as
 * the publisher says it may work later (until `signal`, the connector's stop), so a frame is not
 * let go of while it could still be delivered.
 */
export function createHandOver(options: {
  provider: string;
  log: Logger;
  metrics: Metrics;
  backoff: BackoffPolicy;
  signal: AbortSignal;
  publisher: RawPublisher;
}) {
  const { log, provider, signal } = options;
  /** Runs `fn` until it succeeds or gives up; returns the error it gave up on, or undefined. */
  const handOver = async (what: string, fn: () => Promise<void>): Promise<unknown> => {
    try {
      await retry(fn, {
        ...options.backoff,
        attempts: Infinity,
        signal,
        onRetry: (err, attempt, delayMs) =>
          log.warn({ err, attempt, delayMs }, `${what} failed, retrying: ${describeError(err)}`),
      });
      return undefined;
    } catch (err) {
      return err ?? new Error(`${what} failed`);
    }
  };
  /** Dead-letters a payload that could not be read; says so when even that is impossible. */
  const deadLetter = async (failure: ParseFailure): Promise<void> => {
    const err = await handOver('dead-lettering', () => options.publisher.deadLetter(failure));
    if (err !== undefined)
      log.error({ err, reasonCode: failure.reasonCode }, `frame lost: ${describeError(err)}`);
  };
  /**
   * Publishes the records, or dead-letters their payload when the publisher refuses them for good
   * (they do not encode), so they wait for a replay rather than being lost. False when the
   * connector stopped before they were handed over: they are neither published nor dead-lettered.
   */
  const publishOrDeadLetter = async (delivery: Delivery): Promise<boolean> => {
    if (delivery.count === 0) return true;
    const err = await handOver(`publishing ${delivery.kind}s`, () => delivery.send());
    if (err === undefined) {
      options.metrics.connectorRecords.inc({ provider, kind: delivery.kind }, delivery.count);
      return true;
    }
    if (signal.aborted && isRetriable(err)) return false;
    const code = err instanceof OddsflowError ? err.code : 'PUBLISH_REJECTED';
    await deadLetter({
      provider,
      reasonCode: code,
      errors: [{ path: '$', code, message: describeError(err) }],
      payload: delivery.payload(),
    });
    return true;
  };
  return { deadLetter, publishOrDeadLetter };
}
