import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { ProviderError, describeError, isRetriable } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import { backoffDelay, type BackoffPolicy } from '../../src/core/resilience/backoff.js';
import type { Breaker, BreakerFactory } from '../../src/core/resilience/breaker.js';
import { maskUrl } from '../../src/core/secrets.js';
import type { ConnectorDeps } from '../contract.js';

export interface WsClientOptions {
  provider: string;
  url: string;
  headers: Readonly<Record<string, string>>;
  /** Sent after every (re)connect: strings as they are, anything else as JSON. */
  subscribe: readonly unknown[];
  pingIntervalMs: number;
  /** No message and no pong for this long means the peer is gone: the socket is terminated. */
  deadPeerTimeoutMs: number;
  handshakeTimeoutMs: number;
  /** Larger frames are refused by `ws` before they are buffered (close code 1009). */
  maxPayload: number;
  backoff: BackoffPolicy;
  /** Frames waiting for the handler before the socket is paused (TCP backpressure to the feed). */
  maxQueuedFrames: number;
  /** …or bytes of waiting frames, whichever is reached first: 1,000 frames may be 1 MiB each. */
  maxQueuedBytes: number;
}

export interface WsClientDeps {
  logger: Logger;
  metrics: Metrics;
  breakers: BreakerFactory;
  now: () => number;
  random?: () => number;
  /** Told when the feed refuses our credentials (halted) and when it takes them again (running). */
  status?: ConnectorDeps['status'];
}

export type FrameHandler = (frame: Buffer, receivedAt: number) => Promise<void>;

interface QueuedFrame {
  frame: Buffer;
  receivedAt: number;
}

/**
 * One WebSocket connection kept alive for as long as the client runs: connect through a circuit
 * breaker, subscribe, watch the peer with pings, and on any loss reconnect with full-jitter
 * backoff. Frames are handed to `onFrame` one at a time, in order.
 */
export class WsJsonClient {
  private readonly breaker: Breaker<[], WebSocket>;
  private readonly labels: { provider: string };
  private running = false;
  private attempt = 0;
  private connects = 0;
  private socket: WebSocket | undefined;
  private pending: WebSocket | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly queue: QueuedFrame[] = [];
  private queuedBytes = 0;
  private draining: Promise<void> = Promise.resolve();
  private paused = false;

  constructor(
    private readonly options: WsClientOptions,
    private readonly deps: WsClientDeps,
    private readonly onFrame: FrameHandler,
  ) {
    this.labels = { provider: options.provider };
    // The handshake has its own timeout; the breaker's is a backstop a little above it.
    this.breaker = deps.breakers.create(`${options.provider}:connect`, () => this.openSocket(), {
      timeoutMs: options.handshakeTimeoutMs + 1_000,
    });
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    this.pending?.terminate();
    const socket = this.socket;
    if (socket !== undefined && socket.readyState !== WebSocket.CLOSED) {
      const closed = once(socket, 'close');
      socket.close(1000, 'client stopping');
      // A peer that never answers the close handshake must not hold up shutdown.
      await Promise.race([closed, sleep(1_000)]);
      socket.terminate();
    }
    await this.draining;
    this.breaker.shutdown();
  }

  private async connect(): Promise<void> {
    if (this.connects++ > 0) this.deps.metrics.providerReconnects.inc(this.labels);
    try {
      const socket = await this.breaker.fire();
      if (!this.running) {
        socket.terminate();
        return;
      }
      this.attach(socket);
    } catch (err) {
      this.pending?.terminate();
      this.deps.logger.warn({ err, attempt: this.attempt }, `connect failed: ${describeError(err)}`);
      if (err instanceof ProviderError && err.code === 'PROVIDER_AUTH_FAILED')
        this.deps.status?.halted(`${err.code}: ${err.message}`);
      this.scheduleReconnect(err);
    }
  }

  private scheduleReconnect(err?: unknown): void {
    if (!this.running) return;
    // A refused login or a bad URL will not fix itself quickly: keep trying, at the slowest pace.
    const delay =
      err === undefined || isRetriable(err)
        ? backoffDelay(this.attempt++, this.options.backoff, this.deps.random)
        : this.options.backoff.maxMs;
    this.deps.logger.info({ delayMs: delay }, 'reconnecting');
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }

  private openSocket(): Promise<WebSocket> {
    const { provider, url, headers, maxPayload, handshakeTimeoutMs } = this.options;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, {
        headers: { ...headers },
        maxPayload,
        handshakeTimeout: handshakeTimeoutMs,
      });
      this.pending = socket;
      const fail = (err: ProviderError) => {
        this.pending = undefined;
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.terminate();
        reject(err);
      };
      socket.once('open', () => {
        this.pending = undefined;
        socket.removeAllListeners();
        resolve(socket);
      });
      socket.once('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        const code = status === 401 || status === 403 ? 'PROVIDER_AUTH_FAILED' : 'PROVIDER_UNAVAILABLE';
        fail(
          new ProviderError(code, provider, `handshake answered HTTP ${status}`, {
            status,
            retriable: status >= 500 || status === 429,
          }),
        );
      });
      socket.once('error', (err) =>
        fail(new ProviderError('PROVIDER_UNAVAILABLE', provider, err.message, { cause: err })),
      );
      socket.once('close', () =>
        fail(new ProviderError('PROVIDER_CONNECTION_LOST', provider, 'closed during handshake')),
      );
    });
  }

  private attach(socket: WebSocket): void {
    const { logger, metrics } = this.deps;
    this.socket = socket;
    this.paused = false;
    let seenMessage = false;
    this.armWatchdog(socket);
    const ping = setInterval(() => socket.ping(), this.options.pingIntervalMs);

    socket.on('pong', () => this.touch());
    socket.on('message', (data: Buffer) => {
      if (!seenMessage) {
        // Reset the backoff only once data flows: a peer that accepts and drops at once must
        // still see growing delays.
        seenMessage = true;
        this.attempt = 0;
      }
      this.touch();
      this.enqueue({ frame: data, receivedAt: this.deps.now() });
    });
    socket.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        metrics.connectorMessages.inc({ ...this.labels, outcome: 'oversized' });
        logger.warn(
          { maxPayload: this.options.maxPayload },
          'frame larger than maxPayload refused; the connection closes (1009)',
        );
      } else {
        logger.warn({ err }, `socket error: ${err.message}`);
      }
    });
    socket.on('close', (code: number, reason: Buffer) => {
      clearInterval(ping);
      if (this.socket === socket) {
        this.socket = undefined;
        clearTimeout(this.watchdog);
      }
      metrics.providerConnected.set(this.labels, 0);
      logger[this.running ? 'warn' : 'info']({ code, reason: reason.toString() }, 'connection closed');
      this.scheduleReconnect();
    });

    for (const message of this.options.subscribe) {
      socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    }
    metrics.providerConnected.set(this.labels, 1);
    this.deps.status?.running();
    logger.info(
      { url: maskUrl(this.options.url), subscriptions: this.options.subscribe.length },
      'connected and subscribed',
    );
  }

  /** Terminates the socket when neither a message nor a pong arrives within the timeout. */
  private armWatchdog(socket: WebSocket): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      this.deps.logger.warn(
        { timeoutMs: this.options.deadPeerTimeoutMs },
        'no message or pong from the peer: terminating',
      );
      socket.terminate();
    }, this.options.deadPeerTimeoutMs);
  }

  private touch(): void {
    if (!this.paused) this.watchdog?.refresh();
  }

  private enqueue(item: QueuedFrame): void {
    this.queue.push(item);
    this.queuedBytes += item.frame.length;
    const full =
      this.queue.length >= this.options.maxQueuedFrames || this.queuedBytes >= this.options.maxQueuedBytes;
    if (full && !this.paused) {
      // While paused nothing is read, pongs included, so the dead-peer check would misfire;
      // the socket stays paused only until the handler catches up.
      this.paused = true;
      clearTimeout(this.watchdog);
      this.socket?.pause();
      this.deps.logger.debug(
        { queued: this.queue.length, bytes: this.queuedBytes },
        'handler behind: socket paused',
      );
    }
    if (this.queue.length === 1) this.draining = this.drain();
  }

  private async drain(): Promise<void> {
    for (let item = this.queue[0]; item !== undefined; item = this.queue[0]) {
      try {
        await this.onFrame(item.frame, item.receivedAt);
      } catch (err) {
        this.deps.logger.error({ err }, `frame handler failed: ${describeError(err)}`);
      }
      this.queue.shift();
      this.queuedBytes -= item.frame.length;
      const low =
        this.queue.length <= this.options.maxQueuedFrames / 2 &&
        this.queuedBytes <= this.options.maxQueuedBytes / 2;
      if (this.paused && low) {
        this.paused = false;
        if (this.socket !== undefined) {
          this.socket.resume();
          this.armWatchdog(this.socket);
        }
        this.deps.logger.debug({ queued: this.queue.length }, 'handler caught up: socket resumed');
      }
    }
  }
}
