import { ProviderError, describeError, isRetriable } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import type { BackoffPolicy } from '../../src/core/resilience/backoff.js';
import type { BreakerFactory } from '../../src/core/resilience/breaker.js';
import type { ParseFailure } from '../contract.js';
import { FrameQueue } from '../runtime/frame-queue.js';
import { ReconnectLoop } from '../runtime/reconnect-loop.js';
import type { SplitLine } from './line-splitter.js';
import { PROVIDER, type StatusMessage } from './protocol.js';
import {
  authenticationRequest,
  marketSubscriptionRequest,
  type StreamClocks,
  type SubscriptionSettings,
} from './requests.js';
import type { SessionSource } from './session-keeper.js';
import { SessionNotRenewedError, SessionRejectedError, statusError } from './status-errors.js';
import { StreamConnection, type StreamConnectionOptions } from './stream-connection.js';
import type { BetfairStreamProcessor, FrameOutcome } from './stream-processor.js';

export interface StreamClientOptions extends Omit<StreamConnectionOptions, 'heartbeatMs'> {
  appKey: string;
  /** Tokens to authenticate with; a refused one is renewed through it once per subscription. */
  session: SessionSource;
  subscription: SubscriptionSettings;
  /** From opening the socket to the subscription being confirmed. */
  connectTimeoutMs: number;
  /** Frames waiting for the sink before the socket is paused (TCP backpressure to Betfair). */
  maxQueuedFrames: number;
  /** …or characters of waiting lines, whichever is reached first. */
  maxQueuedBytes: number;
  backoff: BackoffPolicy;
}

export interface StreamClientDeps {
  logger: Logger;
  metrics: Metrics;
  breakers: BreakerFactory;
  now: () => number;
  random?: () => number;
  /** Subscribed (again): data flows. */
  onSubscribed?: () => void;
  /** Not subscribed and waiting to retry (`retrying`) or stopped for good. */
  onDown?: (error: Error, retrying: boolean) => void;
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
  /** The token it authenticated with: the one to renew if it is refused. */
  readonly token: string;
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

/**
 * Keeps one Exchange Stream subscription alive while it runs: authentication sent as soon as
 * the socket opens (Betfair drops connections silent for 15 s), subscription with the clocks
 * of the last applied change so that a reconnect resumes with RESUB_DELTA, INVALID_CLOCK
 * answered with a fresh subscription, and full-jitter reconnects through a circuit breaker.
 * Frames are handled one at a time and in order, across reconnects.
 * https://docs.developer.betfair.com/display/1smk3cen4v3lu3yomq5qye0ni/Exchange+Stream+API
 */
export class BetfairStreamClient {
  private readonly loop: ReconnectLoop<void>;
  private readonly queue: FrameQueue<QueuedFrame>;
  /** The session of the latest attempt (undefined until it has a token). */
  private session: Session | undefined;
  private nextId = 1;
  /** A refused token to renew before the next connection; cleared once renewed. */
  private refused: { token: string; error: SessionRejectedError } | undefined;
  /** Whether a renewed session was refused too before any subscription: then it is not the session. */
  private renewedSinceSubscribed = false;

  constructor(
    private readonly options: StreamClientOptions,
    private readonly deps: StreamClientDeps,
    private readonly processor: BetfairStreamProcessor,
    private readonly sink: StreamSink,
  ) {
    this.queue = new FrameQueue(
      options.maxQueuedFrames,
      {
        handle: (frame) => this.handle(frame),
        onError: (err) => deps.logger.error({ err }, `frame handling failed: ${describeError(err)}`),
        pause: ({ session }) => session.connection.pause(),
        resume: ({ session }) => session.connection.resume(),
      },
      {
        max: options.maxQueuedBytes,
        // Characters, not bytes: measuring a 32 MiB string's UTF-8 length would cost a pass over it.
        sizeOf: ({ line }) => (typeof line === 'string' ? line.length : line.head.length),
      },
    );
    this.loop = new ReconnectLoop(
      {
        provider: PROVIDER,
        breakerName: 'stream',
        attemptTimeoutMs: options.connectTimeoutMs,
        backoff: options.backoff,
      },
      deps,
      {
        open: () => this.authenticatedSession(),
        // The breaker can give up (timeout, open) while a socket is still being set up.
        abandon: () => {
          if (this.session?.pending !== undefined) this.session.connection.close();
        },
        // Frames of the lost connection are applied first, so the clocks sent are those of the
        // last change handed over; a half-received segment is dropped, the server sends it again.
        beforeReconnect: async () => {
          await this.queue.idle();
          if (this.loop.running) this.processor.cache.discardSegment();
        },
        // An expired session: renewed (logged in again) before the next connection, which then
        // resubscribes from the clocks like any reconnect. Right away: waiting fixes nothing.
        retryAtOnce: (err) => this.renewing(err, this.session),
        explain: (err) => this.explain(err),
        ...(deps.onDown === undefined ? {} : { onDown: deps.onDown }),
      },
    );
  }

  get status(): { state: StreamClientState; failure: Error | undefined } {
    const state = this.loop.state;
    return { state: state === 'connected' ? 'subscribed' : state, failure: this.loop.stoppedBy };
  }

  /** Resolves after the first attempt; rejects only when it failed for good (bad credentials). */
  async start(): Promise<void> {
    await this.loop.start();
    if (this.loop.stoppedBy !== undefined) throw this.loop.stoppedBy;
  }

  /** Closes the socket, drops frames not yet handled, and waits for the one being handled. */
  async stop(): Promise<void> {
    this.loop.stop();
    this.session?.connection.close();
    await this.queue.close();
  }

  /** Whether `err` is a refused session to renew now (once between two subscriptions). */
  private renewing(err: unknown, session: Session | undefined): boolean {
    if (!(err instanceof SessionRejectedError) || session === undefined || this.renewedSinceSubscribed)
      return false;
    if (!this.loop.running) return false;
    this.refused = { token: session.token, error: err };
    this.deps.logger.warn(`${describeError(err)}: renewing the session and resubscribing`);
    return true;
  }

  /** A session refused again right after it was renewed: then it is not the session. */
  private explain(err: unknown): Error {
    if (err instanceof SessionRejectedError && this.renewedSinceSubscribed)
      return new ProviderError(
        'PROVIDER_AUTH_FAILED',
        PROVIDER,
        `${err.message.replace(`${PROVIDER}: `, '')} right after it was renewed: check the app key's access to the Exchange Stream`,
      );
    return err instanceof Error ? err : new Error(describeError(err));
  }

  /** The token first (renewing a refused one), then the connection. */
  private async authenticatedSession(): Promise<void> {
    // Until this attempt opens a session, a refusal cannot be that of an earlier one.
    this.session = undefined;
    const refused = this.refused;
    let token: string;
    if (refused === undefined) token = await this.options.session.token();
    else {
      try {
        token = await this.options.session.renew(refused.token);
      } catch (err) {
        throw new SessionNotRenewedError(refused.error, err, isRetriable(err));
      }
      this.refused = undefined;
      this.renewedSinceSubscribed = true;
    }
    return this.openSession(token);
  }

  private openSession(sessionToken: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const { connectTimeoutMs, subscription, appKey } = this.options;
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
        token: sessionToken,
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
      } else if (session === this.session && this.loop.state === 'connected') {
        this.loop.lost(session.failure ?? reason);
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
      this.loop.connected();
      this.loop.flowing();
      this.renewedSinceSubscribed = false;
      this.deps.onSubscribed?.();
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
