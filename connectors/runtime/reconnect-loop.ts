import { describeError, isRetriable } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import { backoffDelay, type BackoffPolicy } from '../../src/core/resilience/backoff.js';
import type { Breaker, BreakerFactory } from '../../src/core/resilience/breaker.js';

export type ReconnectState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'failed' | 'stopped';

export interface ReconnectLoopOptions {
  /** The `provider` label of the connection metrics, and the breaker's name before `:`. */
  provider: string;
  /** The breaker's name after `:` (`connect`, `stream`). */
  breakerName: string;
  /** Longest a connection attempt may take; the breaker gives up on it a second later. */
  attemptTimeoutMs: number;
  backoff: BackoffPolicy;
}

export interface ReconnectLoopDeps {
  logger: Logger;
  metrics: Metrics;
  breakers: BreakerFactory;
  random?: () => number;
}

/** What a connection of one protocol does at each step of the loop. */
export interface ConnectionSteps<T> {
  /** One attempt: resolves once connected (with what the connection is), rejects with why not. */
  open(): Promise<T>;
  /** The attempt succeeded; `running` is false when the loop stopped meanwhile (close it then). */
  opened?(connection: T, running: boolean): void;
  /** The breaker gave up (timeout, open) while the attempt may still be setting up a socket. */
  abandon?(): void;
  /** Before each reconnect: e.g. finish handling what the lost connection delivered. */
  beforeReconnect?(): Promise<void>;
  /** An error that a retry fixes right away (a session renewed): reconnect with no wait. */
  retryAtOnce?(err: unknown): boolean;
  /** The error to report for `err` (more telling than the raw one); `err` by default. */
  explain?(err: unknown): Error;
  /** Not connected: waiting to retry (`retrying`), or stopped for good. */
  onDown?(error: Error, retrying: boolean): void;
}

/**
 * The reconnect loop of the streaming connectors, with one rule: connect through a circuit
 * breaker; a retriable failure (network, timeout, the peer gone) waits a full-jitter backoff and
 * reconnects (the connection resubscribes as it opens); a non-retriable one (credentials refused,
 * a request rejected) stops the connector with the error, as retrying cannot fix it and may earn
 * a ban. The backoff resets only once the connection delivers (`flowing`), so a peer that accepts
 * and drops at once still sees growing delays.
 */
export class ReconnectLoop<T> {
  private current: ReconnectState = 'idle';
  private failure: Error | undefined;
  private attempt = 0;
  private connects = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly breaker: Breaker<[], T>;
  private readonly labels: { provider: string };
  private readonly backoff: BackoffPolicy;

  constructor(
    options: ReconnectLoopOptions,
    private readonly deps: ReconnectLoopDeps,
    private readonly steps: ConnectionSteps<T>,
  ) {
    this.labels = { provider: options.provider };
    this.backoff = options.backoff;
    this.breaker = deps.breakers.create(`${options.provider}:${options.breakerName}`, () => steps.open(), {
      timeoutMs: options.attemptTimeoutMs + 1_000,
    });
  }

  get state(): ReconnectState {
    return this.current;
  }

  /** Why the loop stopped for good; undefined while it runs. */
  get stoppedBy(): Error | undefined {
    return this.failure;
  }

  get running(): boolean {
    return this.current !== 'stopped' && this.current !== 'failed';
  }

  /** Resolves after the first attempt has settled (see `stoppedBy` for how). */
  async start(): Promise<void> {
    if (this.current !== 'idle') return;
    await this.connect();
  }

  stop(): void {
    this.current = 'stopped';
    clearTimeout(this.timer);
    this.breaker.shutdown();
    this.deps.metrics.providerConnected.set(this.labels, 0);
  }

  /** The connection is up (subscribed): set where the protocol confirms it, not when `open` resolves. */
  connected(): void {
    if (this.running) this.current = 'connected';
    this.deps.metrics.providerConnected.set(this.labels, 1);
  }

  /** Data flows on the connection: the next loss starts the backoff from the beginning. */
  flowing(): void {
    this.attempt = 0;
  }

  /** The connection was lost after it was up; `err` says why. */
  lost(err: unknown): void {
    void this.settle(err);
  }

  private async connect(): Promise<void> {
    if (this.connects++ > 0) this.deps.metrics.providerReconnects.inc(this.labels);
    this.current = 'connecting';
    let connection: T;
    try {
      connection = await this.breaker.fire();
    } catch (err) {
      this.steps.abandon?.();
      // Awaited: an error retried at once is part of this attempt, so start() settles on how it ended.
      await this.settle(err);
      return;
    }
    this.steps.opened?.(connection, this.running);
  }

  private async settle(err: unknown): Promise<void> {
    if (!this.running) return;
    this.deps.metrics.providerConnected.set(this.labels, 0);
    if (this.steps.retryAtOnce?.(err)) return this.reconnect();
    const error = this.steps.explain?.(err) ?? (err instanceof Error ? err : new Error(describeError(err)));
    if (!isRetriable(err)) {
      this.current = 'failed';
      this.failure = error;
      this.deps.logger.error({ err }, `stream stopped, not retrying: ${describeError(error)}`);
      this.steps.onDown?.(error, false);
      return;
    }
    this.current = 'waiting';
    const delayMs = backoffDelay(this.attempt++, this.backoff, this.deps.random);
    this.deps.logger.warn({ err, delayMs, attempt: this.attempt }, `reconnecting: ${describeError(err)}`);
    this.steps.onDown?.(error, true);
    this.timer = setTimeout(() => void this.reconnect(), delayMs);
  }

  private async reconnect(): Promise<void> {
    await this.steps.beforeReconnect?.();
    if (!this.running) return;
    await this.connect();
  }
}
