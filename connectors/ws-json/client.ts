import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { ProviderError, describeError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import type { BackoffPolicy } from '../../src/core/resilience/backoff.js';
import type { BreakerFactory } from '../../src/core/resilience/breaker.js';
import { maskUrl } from '../../src/core/secrets.js';
import type { ConnectorDeps } from '../contract.js';
import { FrameQueue } from '../runtime/frame-queue.js';
import { ReconnectLoop } from '../runtime/reconnect-loop.js';

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
  /** Told when the client stops for good (halted, with why) and when it is connected (running). */
  status?: ConnectorDeps['status'];
}

export type FrameHandler = (frame: Buffer, receivedAt: number) => Promise<void>;

interface QueuedFrame {
  frame: Buffer;
  receivedAt: number;
}

/**
 * One WebSocket connection kept alive for as long as the client runs: connect through the shared
 * reconnect loop (runtime/reconnect-loop.ts: a circuit breaker, full-jitter backoff, a refused
 * handshake stops the client), subscribe, watch the peer with pings. Frames are handed to
 * `onFrame` one at a time, in order, through a queue that pauses the socket when it falls behind.
 */
export class WsJsonClient {
  private readonly loop: ReconnectLoop<WebSocket>;
  private readonly queue: FrameQueue<QueuedFrame>;
  private readonly labels: { provider: string };
  private socket: WebSocket | undefined;
  private pending: WebSocket | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private paused = false;

  constructor(
    private readonly options: WsClientOptions,
    private readonly deps: WsClientDeps,
    onFrame: FrameHandler,
  ) {
    this.labels = { provider: options.provider };
    this.queue = new FrameQueue(
      options.maxQueuedFrames,
      {
        handle: ({ frame, receivedAt }) => onFrame(frame, receivedAt),
        onError: (err) => deps.logger.error({ err }, `frame handler failed: ${describeError(err)}`),
        pause: () => this.pause(),
        resume: () => this.resume(),
      },
      // …or bytes of waiting frames, whichever is reached first: 1,000 frames may be 1 MiB each.
      { max: options.maxQueuedBytes, sizeOf: ({ frame }) => frame.length },
    );
    this.loop = new ReconnectLoop(
      {
        provider: options.provider,
        breakerName: 'connect',
        // The handshake has its own timeout; the breaker's is a backstop a little above it.
        attemptTimeoutMs: options.handshakeTimeoutMs,
        backoff: options.backoff,
      },
      deps,
      {
        open: () => this.openSocket(),
        opened: (socket, running) => {
          if (running) this.attach(socket);
          else socket.terminate();
        },
        abandon: () => this.pending?.terminate(),
        onDown: (error, retrying) => {
          if (!retrying) deps.status?.halted(describeError(error));
        },
      },
    );
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    void this.loop.start();
  }

  async stop(): Promise<void> {
    this.loop.stop();
    this.pending?.terminate();
    const socket = this.socket;
    if (socket !== undefined && socket.readyState !== WebSocket.CLOSED) {
      const closed = once(socket, 'close');
      socket.close(1000, 'client stopping');
      // A peer that never answers the close handshake must not hold up shutdown.
      await Promise.race([closed, sleep(1_000)]);
      socket.terminate();
    }
    await this.queue.idle();
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
        seenMessage = true;
        this.loop.flowing();
      }
      this.touch();
      this.queue.push({ frame: data, receivedAt: this.deps.now() });
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
      logger[this.loop.running ? 'warn' : 'info']({ code, reason: reason.toString() }, 'connection closed');
      this.loop.lost(
        new ProviderError('PROVIDER_CONNECTION_LOST', this.options.provider, `connection closed (${code})`),
      );
    });

    for (const message of this.options.subscribe) {
      socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    }
    this.loop.connected();
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

  /** While paused nothing is read, pongs included, so the dead-peer check would misfire. */
  private pause(): void {
    this.paused = true;
    clearTimeout(this.watchdog);
    this.socket?.pause();
    this.deps.logger.debug(
      { queued: this.queue.length, bytes: this.queue.size },
      'handler behind: socket paused',
    );
  }

  private resume(): void {
    this.paused = false;
    if (this.socket !== undefined) {
      this.socket.resume();
      this.armWatchdog(this.socket);
    }
    this.deps.logger.debug({ queued: this.queue.length }, 'handler caught up: socket resumed');
  }
}
