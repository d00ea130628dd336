import { setTimeout as sleep } from 'node:timers/promises';
import { isRetriable } from '../errors.js';

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** Exponent base; 2 doubles the ceiling every attempt. */
  factor?: number;
}

/**
 * "Full jitter" backoff: a uniform draw in [0, min(max, initial * factor^attempt)]. Spreading
 * retries over the whole window is what stops a fleet of clients from retrying in lock-step
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * (policy.factor ?? 2) ** Math.max(0, attempt));
  return Math.round(random() * ceiling);
}

export interface RetryOptions extends BackoffPolicy {
  /** Attempts in all, the first included; Infinity retries until `signal` aborts. */
  attempts: number;
  signal?: AbortSignal;
  random?: () => number;
  /** A server's own wait (Retry-After) overrides the computed delay when longer. */
  delayHint?: (err: unknown) => number | undefined;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/** Calls `fn` until it succeeds, a non-retriable error is thrown, or attempts run out. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isRetriable(err) || attempt + 1 >= options.attempts || options.signal?.aborted) throw err;
      const computed = backoffDelay(attempt, options, options.random);
      const delay = Math.max(computed, options.delayHint?.(err) ?? 0);
      options.onRetry?.(err, attempt + 1, delay);
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined);
    }
  }
}
