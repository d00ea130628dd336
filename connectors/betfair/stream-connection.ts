import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { ProviderError } from '../../src/core/errors.js';
import { LineSplitter, type SplitLine } from './line-splitter.js';
import { PROVIDER } from './protocol.js';
import { encodeLine, heartbeatRequest } from './requests.js';

export interface StreamConnectionOptions {
  host: string;
  port: number;
  /** Betfair only speaks TLS; plain TCP exists for local simulators and tests. */
  tls: boolean;
  /** Extra trusted CA (PEM), e.g. a simulator's self-signed certificate. */
  ca?: string | undefined;
  rejectUnauthorized: boolean;
  maxLineBytes: number;
  /** Quiet for this long: a heartbeat request probes the peer. */
  heartbeatMs: number;
  /** No byte for this long (heartbeats included) means the peer is gone. */
  deadPeerTimeoutMs: number;
}

export interface StreamConnectionEvents {
  /** The socket is open (TLS handshake done): the first request must go out now. */
  onOpen(): void;
  onLine(line: SplitLine, receivedAt: number): void;
  /** Always called once; `error` says why when the close was not asked for. */
  onClose(error: ProviderError | undefined): void;
}

/** One socket of CRLF-delimited JSON, watched for silence. */
export class StreamConnection {
  private readonly socket: Socket;
  private readonly splitter: LineSplitter;
  private error: ProviderError | undefined;
  private lastDataAt = performance.now();
  private lastProbeAt = 0;
  private paused = false;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: StreamConnectionOptions,
    events: StreamConnectionEvents,
    now: () => number,
    nextId: () => number,
  ) {
    const { host, port, tls, ca, rejectUnauthorized } = options;
    this.splitter = new LineSplitter(options.maxLineBytes);
    this.socket = tls
      ? connectTls({ host, port, ca, rejectUnauthorized, servername: isIP(host) ? undefined : host })
      : connectTcp({ host, port });
    this.socket.setNoDelay(true);
    this.socket.once(tls ? 'secureConnect' : 'connect', () => {
      this.lastDataAt = performance.now();
      this.watch(nextId);
      events.onOpen();
    });
    this.socket.on('data', (chunk: Buffer) => {
      this.lastDataAt = performance.now();
      const receivedAt = now();
      for (const line of this.splitter.push(chunk)) events.onLine(line, receivedAt);
    });
    this.socket.on('error', (err) => {
      this.error ??= new ProviderError('PROVIDER_UNAVAILABLE', PROVIDER, err.message, { cause: err });
    });
    this.socket.on('close', () => {
      clearInterval(this.watchdog);
      events.onClose(this.error);
    });
  }

  send(message: object): void {
    if (!this.socket.destroyed) this.socket.write(encodeLine(message));
  }

  /** Closes at once; `error` is what `onClose` will report (the first reason wins). */
  close(error?: ProviderError): void {
    if (error !== undefined) this.error ??= error;
    this.socket.destroy();
  }

  pause(): void {
    this.paused = true;
    this.socket.pause();
  }

  resume(): void {
    this.paused = false;
    this.lastDataAt = performance.now();
    this.socket.resume();
  }

  /**
   * The server sends a HEARTBEAT change after `heartbeatMs` without data; past that we probe
   * with a heartbeat request, and past `deadPeerTimeoutMs` of silence the peer counts as gone
   * (a half-open TCP connection would otherwise wait forever). Not while paused: then the
   * silence is ours.
   */
  private watch(nextId: () => number): void {
    const { deadPeerTimeoutMs, heartbeatMs } = this.options;
    const every = Math.max(50, Math.min(heartbeatMs, deadPeerTimeoutMs) / 4);
    this.watchdog = setInterval(() => {
      if (this.paused) return;
      const now = performance.now();
      const silentMs = now - this.lastDataAt;
      if (silentMs >= deadPeerTimeoutMs) {
        const message = `no data for ${Math.round(silentMs)} ms: dead peer`;
        this.close(new ProviderError('PROVIDER_TIMEOUT', PROVIDER, message));
      } else if (silentMs >= heartbeatMs && now - this.lastProbeAt >= heartbeatMs) {
        this.lastProbeAt = now;
        this.send(heartbeatRequest(nextId()));
      }
    }, every);
  }
}
