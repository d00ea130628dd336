import { ProviderError, describeError, isRetriable } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import type { Metrics } from '../../src/metrics.js';
import { backoffDelay, type BackoffPolicy } from '../../src/resilience/backoff.js';
import type { Breaker, BreakerFactory } from '../../src/resilience/breaker.js';
import type { ParseFailure } from '../contract.js';
import { FrameQueue } from './frame-queue.js';
import type { SplitLine } from './line-splitter.js';
import { PROVIDER, type StatusMessage } from './protocol.js';
import {
  authenticationRequest,
  marketSubscriptionRequest,
  type StreamClocks,
  type SubscriptionSettings,
} from './requests.js';
import { statusError } from './status-errors.js';
import { StreamConnection, type StreamConnectionOptions } from './stream-connection.js';
import type { BetfairStreamProcessor, FrameOutcome } from './stream-processor.js';

export interface StreamClientOptions extends Omit<StreamConnectionOptions, 'heartbeatMs'> {
  appKey: string;
  sessionToken: string;
  subscription: SubscriptionSettings;
  /** From opening the socket to the subscription being confirmed. */
  connectTimeoutMs: number;
  /** Frames waiting for the sink before the socket is paused (TCP backpressure to Betfair). */
  maxQueuedFrames: number;
  backoff: BackoffPolicy;
}

export interface StreamClientDeps {
  logger: Logger;
  metrics: Metrics;
  breakers: BreakerFactory;
  now: () => number;
  random?: () => number;
}

/** Receives what each frame produced; the next frame waits until the promise settles. */
export interface StreamSink {
  onChange(outcome: Extract<FrameOutcome, { kind: 'change' }>): Promise<void>;
  onMalformed(failure: ParseFailure): Promise<void>;
}

export type StreamClientState = 'idle' | 'connecting' | 'subscribed' | 'waiting' | 'failed' | 'stopped';

interface Session {
  readonly connection: StreamConnection;
  readonly authId: number;
  subscriptionId: number;
  /** Settles the connection attempt; cleared once the subscription is confirmed. */
  pending: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  /** A FAILURE status read for this connection: the real reason it closed. */
  failure: ProviderError | undefined;
  connectTimer: NodeJS.Timeout;
}

interface QueuedFrame {
  session: Session;
  line: SplitLine;
  receivedAt: number;
}

const labels = { provider: PROVIDER };

/**
 * Keeps one Exchange Stream subscription alive while it runs: authentication sent as soon as
 * the socket opens (Betfair drops connections silent for 15 s), subscription with the clocks
 * of the last applied change so that a reconnect resumes with RESUB_DELTA, INVALID_CLOCK
 * answered with a fresh subscription, and full-jitter reconnects through a circuit breaker.
 * Frames are handled one at a time and in order, across reconnects.
 * https://docs.developer.betfair.com/display/1smk3cen4v3lu3yomq5qye0ni/Exchange+Stream+API
 */
export class BetfairStreamClient {
  private state: StreamClientState = 'idle';
  private failure: Error | undefined;
  private readonly breaker: Breaker<[], void>;
  private readonly queue: FrameQueue<QueuedFrame>;
  private session: Session | undefined;
  private attempt = 0;
  private connects = 0;
  private nextId = 1;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: StreamClientOptions,
    private readonly deps: StreamClientDeps,
    private readonly processor: BetfairStreamProcessor,
    private readonly sink: StreamSink,
  ) {
    this.queue = new FrameQueue(options.maxQueuedFrames, {
      handle: (frame) => this.handle(frame),
      onError: (err) => deps.logger.error({ err }, `frame handling failed: ${describeError(err)}`),
      pause: ({ session }) => session.connection.pause(),
      resume: ({ session }) => session.connection.resume(),
    });
    this.breaker = deps.breakers.create(`${PROVIDER}:stream`, () => this.openSession(), {
      timeoutMs: options.connectTimeoutMs + 1_000,
    });
  }

  get status(): { state: StreamClientState; failure: Error | undefined } {
    return { state: this.state, failure: this.failure };
  }

  /** Resolves after the first attempt; rejects only when it failed for good (bad credentials). */
  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    await this.connect();
    if (this.failure !== undefined) throw this.failure;
  }

  /** Closes the socket, drops frames not yet handled, and waits for the one being handled. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    clearTimeout(this.reconnectTimer);
    this.session?.connection.close();
    await this.queue.close();
    this.breaker.shutdown();
    this.deps.metrics.providerConnected.set(labels, 0);
  }

  private get running(): boolean {
    return this.state !== 'stopped' && this.state !== 'failed';
  }

  private async connect(): Promise<void> {
    if (this.connects++ > 0) this.deps.metrics.providerReconnects.inc(labels);
    this.state = 'connecting';
    try {
      // 'subscribed' is set where the confirmation is read (onStatus), not after this await:
      // by the time this continuation runs the connection may already be lost again.
      await this.breaker.fire();
    } catch (err) {
      // The breaker can give up (timeout, open) while a socket is still being set up.
      if (this.session?.pending !== undefined) this.session.connection.close();
      this.onFailure(err);
    }
  }

  private onFailure(err: unknown): void {
    if (!this.running) return;
    this.deps.metrics.providerConnected.set(labels, 0);
    if (!isRetriable(err)) {
      this.state = 'failed';
      this.failure = err instanceof Error ? err : new Error(describeError(err));
      this.deps.logger.error({ err }, `stream stopped, not retrying: ${describeError(err)}`);
      return;
    }
    this.state = 'waiting';
    const delayMs = backoffDelay(this.attempt++, this.options.backoff, this.deps.random);
    this.deps.logger.warn({ err, delayMs, attempt: this.attempt }, `reconnecting: ${describeError(err)}`);
    this.reconnectTimer = setTimeout(() => void this.reconnect(), delayMs);
  }

  private async reconnect(): Promise<void> {
    // Frames of the lost connection are applied first, so the clocks sent are those of the last
    // change handed over; a half-received segment is dropped, the server sends it again.
    await this.queue.idle();
    if (!this.running) return;
    this.processor.cache.discardSegment();
    await this.connect();
  }

  private openSession(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { connectTimeoutMs, subscription, appKey, sessionToken } = this.options;
      const authId = this.nextId++;
      const connection = new StreamConnection(
        { ...this.options, heartbeatMs: subscription.heartbeatMs },
        {
          onOpen: () => connection.send(authenticationRequest(authId, appKey, sessionToken)),
          onLine: (line, receivedAt) => this.queue.push({ session, line, receivedAt }),
          onClose: (error) => this.onClose(session, error),
        },
        this.deps.now,
        () => this.nextId++,
      );
      const timeout = new ProviderError(
        'PROVIDER_TIMEOUT',
        PROVIDER,
        `not subscribed after ${connectTimeoutMs} ms`,
      );
      const session: Session = {
        connection,
        authId,
        subscriptionId: 0,
        pending: { resolve, reject },
        failure: undefined,
        connectTimer: setTimeout(() => connection.close(timeout), connectTimeoutMs),
      };
      this.session = session;
    });
  }

  private onClose(session: Session, error: ProviderError | undefined): void {
    clearTimeout(session.connectTimer);
    const reason =
      error ?? new ProviderError('PROVIDER_CONNECTION_LOST', PROVIDER, 'connection closed by the peer');
    // Frames still queued may explain the close (a FAILURE status): decide once they are read.
    void this.queue.idle().then(() => {
      if (session.pending !== undefined) {
        session.pending.reject(session.failure ?? reason);
        session.pending = undefined;
      } else if (session === this.session && this.state === 'subscribed') {
        this.onFailure(session.failure ?? reason);
      }
    });
  }

  private async handle({ session, line, receivedAt }: QueuedFrame): Promise<void> {
    const outcome = this.processor.handleLine(line, receivedAt);
    switch (outcome.kind) {
      case 'change':
        return this.sink.onChange(outcome);
      case 'failure':
        return this.sink.onMalformed(outcome.failure);
      case 'status':
        return this.onStatus(session, outcome.message);
      case 'connection':
        this.deps.logger.debug({ connectionId: outcome.message.connectionId }, 'connection opened');
        return;
      case 'other':
        this.deps.logger.debug({ op: outcome.op }, 'message of another stream ignored');
    }
  }

  private onStatus(session: Session, status: StatusMessage): void {
    if (status.statusCode === 'FAILURE') {
      if (status.errorCode === 'INVALID_CLOCK') {
        this.processor.cache.resetClocks();
        if (status.connectionClosed !== true) {
          // Clocks too old or from another subscription: start again from a full image.
          this.deps.logger.warn(
            { errorMessage: status.errorMessage },
            'INVALID_CLOCK: subscribing for a full image',
          );
          this.subscribe(session, {});
          return;
        }
      }
      session.failure ??= statusError(status);
      session.connection.close(session.failure);
      return;
    }
    if (status.id === session.authId) {
      this.subscribe(session, this.processor.clocks());
    } else if (status.id === session.subscriptionId && session.pending !== undefined) {
      clearTimeout(session.connectTimer);
      session.pending.resolve();
      session.pending = undefined;
      if (this.running) this.state = 'subscribed';
      this.attempt = 0;
      this.deps.metrics.providerConnected.set(labels, 1);
      this.deps.logger.info({ connectionsAvailable: status.connectionsAvailable }, 'subscribed');
    }
  }

  private subscribe(session: Session, clocks: StreamClocks): void {
    session.subscriptionId = this.nextId++;
    const resuming = clocks.clk !== undefined && clocks.initialClk !== undefined;
    this.deps.logger.info({ resuming }, resuming ? 'resubscribing from the last clocks' : 'subscribing');
    session.connection.send(
      marketSubscriptionRequest(session.subscriptionId, this.options.subscription, clocks),
    );
  }
}
