import { describeError, OddsflowError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { withTimeout } from '../resilience/timeout.js';

export type ReadinessCheck = () => Promise<void>;

/**
 * A check's failure with a reason code for /readyz. The endpoint shows codes only: a
 * dependency's own message may name hosts, users or worse, and /readyz is read by whoever can
 * reach the port. The message goes to the log.
 */
export class NotReady extends Error {
  constructor(
    readonly reason: string,
    message: string = reason,
  ) {
    super(message);
    this.name = 'NotReady';
  }
}

const timedOut = 'CHECK_TIMEOUT';

/** A code for /readyz: ours, or a generic one for an error we did not raise. */
export function reasonOf(err: unknown): string {
  if (err instanceof NotReady) return err.reason;
  if (err instanceof OddsflowError) return err.code;
  return 'CHECK_FAILED';
}

export interface ReadinessOptions {
  /** Each check's bound: a dependency that does not answer fails its check, it does not hang /readyz. */
  timeoutMs: number;
  /** Results are reused for this long; 0 evaluates on every request (still one evaluation at a time). */
  cacheMs: number;
  metrics: Metrics;
  logger: Logger;
  clock?: { now(): number };
}

export interface ReadinessStatus {
  ready: boolean;
  /** `ok`, or the failing check's reason code. */
  checks: Record<string, string>;
}

/**
 * The role's readiness, evaluated at most once per `cacheMs` whatever the request rate: probes
 * poll /readyz every few seconds from several places, and during an outage every live check
 * would otherwise open connections or queue commands faster than they fail. Concurrent requests
 * share the evaluation in flight. A check changing state is logged once, with its detail.
 */
export class Readiness {
  private last: { at: number; status: ReadinessStatus } | undefined;
  private running: Promise<ReadinessStatus> | undefined;
  private readonly previous = new Map<string, string>();
  private readonly clock: { now(): number };

  constructor(
    private readonly checks: Record<string, ReadinessCheck>,
    private readonly options: ReadinessOptions,
  ) {
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  status(): Promise<ReadinessStatus> {
    if (this.last && this.clock.now() - this.last.at < this.options.cacheMs) {
      return Promise.resolve(this.last.status);
    }
    this.running ??= this.evaluate().finally(() => (this.running = undefined));
    return this.running;
  }

  private async evaluate(): Promise<ReadinessStatus> {
    const { timeoutMs, metrics, logger } = this.options;
    const results = await Promise.all(
      Object.entries(this.checks).map(async ([name, check]) => {
        try {
          await withTimeout(
            check(),
            timeoutMs,
            () => new NotReady(timedOut, `no answer within ${timeoutMs} ms`),
          );
          return { name, reason: 'ok', detail: undefined };
        } catch (err) {
          return { name, reason: reasonOf(err), detail: describeError(err) };
        }
      }),
    );
    for (const { name, reason, detail } of results) {
      metrics.readiness.set({ check: name }, reason === 'ok' ? 1 : 0);
      if (this.previous.get(name) !== reason) {
        if (reason === 'ok') {
          if (this.previous.has(name)) logger.info({ check: name }, `readiness: ${name} ok again`);
        } else logger.warn({ check: name, reason }, `readiness: ${name} failing: ${detail}`);
        this.previous.set(name, reason);
      }
    }
    const status = {
      ready: results.every((r) => r.reason === 'ok'),
      checks: Object.fromEntries(results.map((r) => [r.name, r.reason])),
    };
    this.last = { at: this.clock.now(), status };
    return status;
  }
}
