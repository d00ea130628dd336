import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, isRetriable, OddsflowError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';

/**
 * Which components are holding their input because a dependency fails (a store outage, a
 * registry refusing credentials, Redis refusing a command): shared by a role's loops, read by
 * its /readyz and exported as `oddsflow_infrastructure_hold` for alerting.
 */
export class Holds {
  private readonly active = new Map<string, { code: string; since: number }>();

  constructor(
    private readonly metrics: Metrics,
    private readonly clock: { now(): number },
  ) {}

  /** `component` is holding because of `code`; the gauge follows the latest code. */
  enter(component: string, code: string): void {
    const current = this.active.get(component);
    if (current?.code === code) return;
    if (current) this.metrics.infrastructureHold.remove({ component, code: current.code });
    this.active.set(component, { code, since: current?.since ?? this.clock.now() });
    this.metrics.infrastructureHold.set({ component, code }, 1);
  }

  leave(component: string): void {
    const current = this.active.get(component);
    if (!current) return;
    this.active.delete(component);
    this.metrics.infrastructureHold.remove({ component, code: current.code });
  }

  /** What holds now, by component. */
  current(): { component: string; code: string; since: number }[] {
    return [...this.active].map(([component, { code, since }]) => ({ component, code, since }));
  }
}

/** Thrown out of `holdOnFault` when the loop is stopping: the work was not done, nothing to commit. */
export class HoldInterrupted extends Error {
  constructor() {
    super('stopped while holding');
  }
}

export interface HoldOptions {
  /** Names the component in logs, metrics and /readyz (timescale, redis, prepare, enrich). */
  component: string;
  holds: Holds;
  metrics: Metrics;
  log: Logger;
  backoff: BackoffPolicy;
  /** What is being tried, for the log line ("writing a batch of 500 records"). */
  what: string;
  /** Called after every wait, so that the consumer group keeps the partition. */
  heartbeat?: () => Promise<void>;
  /** Aborted when the loop stops: the wait ends at once. */
  signal: AbortSignal;
  random?: () => number;
}

/**
 * Runs `work` until it succeeds, holding through retriable failures with backoff (the
 * partition stays where it is and nothing is committed, so nothing is lost and nothing is
 * dead-lettered for a fault that is not the record's). A non-retriable error — the record's
 * own fault — is thrown to the caller, which dead-letters it.
 */
export async function holdOnFault<T>(work: () => Promise<T>, options: HoldOptions): Promise<T> {
  const { component, holds, log } = options;
  const { signal } = options;
  for (let attempt = 0; ; attempt++) {
    if (signal.aborted) {
      holds.leave(component);
      throw new HoldInterrupted();
    }
    try {
      const result = await work();
      holds.leave(component);
      if (attempt > 0)
        log.info({ attempts: attempt + 1 }, `${component}: dependency back, ${options.what} done`);
      return result;
    } catch (err) {
      if (!isRetriable(err)) {
        holds.leave(component);
        throw err;
      }
      const code = err instanceof OddsflowError ? err.code : 'UNKNOWN';
      holds.enter(component, code);
      options.metrics.infrastructureFaults.inc({ component, code });
      const delay = backoffDelay(attempt, options.backoff, options.random);
      const line = `${component}: ${describeError(err)}; holding (${options.what}) and retrying in ${delay} ms`;
      if (attempt === 0) log.warn({ err }, line);
      else log.debug({ attempt }, line);
      await sleep(delay, undefined, { signal }).catch(() => undefined);
      if (!signal.aborted) await options.heartbeat?.();
    }
  }
}

/**
 * `holdOnFault` with a loop's fixed options: the returned function takes what is tried, the work
 * and (inside a batch) the heartbeat.
 */
export function holder(
  options: Omit<HoldOptions, 'what' | 'heartbeat'>,
): <T>(what: string, work: () => Promise<T>, heartbeat?: () => Promise<void>) => Promise<T> {
  return (what, work, heartbeat) =>
    holdOnFault(work, { ...options, what, ...(heartbeat ? { heartbeat } : {}) });
}
