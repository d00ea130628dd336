import { describeError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import { retry, type BackoffPolicy } from '../../src/core/resilience/backoff.js';
import type { ParseFailure, RawPublisher } from '../contract.js';

/**
 * How a streaming connector hands records to its publisher: retried with backoff for as long as
 * the publisher says it may work later (until `signal`, the connector's stop), so a frame is not
 * let go of while it could still be delivered.
 */
export function createHandOver(options: {
  log: Logger;
  backoff: BackoffPolicy;
  signal: AbortSignal;
  publisher: RawPublisher;
}) {
  const { log } = options;
  /** Runs `fn` until it succeeds or gives up; returns the error it gave up on, or undefined. */
  const handOver = async (what: string, fn: () => Promise<void>): Promise<unknown> => {
    try {
      await retry(fn, {
        ...options.backoff,
        attempts: Infinity,
        signal: options.signal,
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
  return { handOver, deadLetter };
}
