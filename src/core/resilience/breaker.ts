import CircuitBreaker from 'opossum';
import { isRetriable } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

export interface BreakerSettings {
  /** Per-call timeout; a slower call counts as a failure. */
  timeoutMs: number;
  /** Failure percentage over the rolling window that opens the breaker. */
  errorThresholdPercentage: number;
  /** Time open before one trial call is let through (half-open). */
  resetTimeoutMs: number;
  rollingCountTimeoutMs: number;
  /** Calls in the window before the percentage counts, so one early failure cannot open it. */
  volumeThreshold: number;
}

export const defaultBreakerSettings: BreakerSettings = {
  timeoutMs: 10_000,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 15_000,
  rollingCountTimeoutMs: 30_000,
  volumeThreshold: 3,
};

const stateValue = { closed: 0, halfOpen: 1, open: 2 } as const;

export type Breaker<A extends unknown[], R> = CircuitBreaker<A, R>;

export interface BreakerFactory {
  create<A extends unknown[], R>(
    name: string,
    action: (...args: A) => Promise<R>,
    overrides?: Partial<BreakerSettings>,
  ): Breaker<A, R>;
}

/**
 * opossum breakers that log and count every state change. Errors that are not retriable
 * (bad request, bad credentials, malformed data) are the caller's problem, not the provider's
 * health, so the error filter keeps them from opening the breaker.
 */
export function createBreakerFactory(
  logger: Logger,
  metrics: Metrics,
  base: BreakerSettings = defaultBreakerSettings,
): BreakerFactory {
  return {
    create(name, action, overrides) {
      const s = { ...base, ...overrides };
      const breaker = new CircuitBreaker(action, {
        name,
        timeout: s.timeoutMs,
        errorThresholdPercentage: s.errorThresholdPercentage,
        resetTimeout: s.resetTimeoutMs,
        rollingCountTimeout: s.rollingCountTimeoutMs,
        volumeThreshold: s.volumeThreshold,
        errorFilter: (err: unknown) => !isRetriable(err),
      });
      const log = logger.child({ component: 'breaker', name });
      const transition = (state: keyof typeof stateValue, level: 'warn' | 'info', message: string) => {
        metrics.breakerState.set({ breaker: name }, stateValue[state]);
        metrics.breakerTransitions.inc({ breaker: name, state });
        log[level]({ state }, message);
      };
      metrics.breakerState.set({ breaker: name }, stateValue.closed);
      breaker.on('open', () =>
        transition('open', 'warn', `breaker ${name} open: calls fail fast for ${s.resetTimeoutMs} ms`),
      );
      breaker.on('halfOpen', () =>
        transition('halfOpen', 'info', `breaker ${name} half-open: letting one trial call through`),
      );
      breaker.on('close', () =>
        transition('closed', 'info', `breaker ${name} closed: provider healthy again`),
      );
      return breaker;
    },
  };
}
