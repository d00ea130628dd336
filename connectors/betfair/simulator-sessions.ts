import type { Socket } from 'node:net';
import { LineSplitter } from './line-splitter.js';
import type { MarketChange } from './protocol.js';
import { encodeLine, requestSchema, type MarketFilter, type MarketSubscriptionRequest } from './requests.js';
import type { SimAccounts } from './simulator-accounts.js';
import type { SimChange, SimEngine } from './simulator-engine.js';

export interface SubscriptionSeen {
  initialClk: string | undefined;
  clk: string | undefined;
  answer: 'SUB_IMAGE' | 'RESUB_DELTA' | 'INVALID_CLOCK';
  /** Changes replayed for a RESUB_DELTA. */
  missed: number;
}

export interface SimulatorStats {
  connections: number;
  authFailures: number;
  heartbeatRequests: number;
  subscriptions: SubscriptionSeen[];
}

export interface SessionSettings {
  accounts: SimAccounts;
  publishTime: (seq: number) => number;
  segmentMarkets: number;
  firstMessageTimeoutMs: number;
  chunkBytes: number | undefined;
  maxBufferedBytes: number;
}

interface Session {
  readonly socket: Socket;
  readonly splitter: LineSplitter;
  authenticated: boolean;
  subscription: { id: number; filter: MarketFilter | undefined } | undefined;
  stalledUntil: number;
  backlog: string[];
  lastSentAt: number;
  heartbeat: NodeJS.Timeout | undefined;
  timers: NodeJS.Timeout[];
}

/**
 * The server side of the Exchange Stream protocol for each connected client: connection
 * message, authentication, subscription answered with SUB_IMAGE (segmented on request) or
 * RESUB_DELTA from the clocks sent, heartbeats, and the fault hooks the simulator exposes.
 */
export class SimSessions {
  readonly stats: SimulatorStats = {
    connections: 0,
    authFailures: 0,
    heartbeatRequests: 0,
    subscriptions: [],
  };
  private readonly sessions = new Set<Session>();

  constructor(
    private readonly engine: SimEngine,
    private readonly settings: SessionSettings,
  ) {}

  accept(socket: Socket): void {
    this.stats.connections++;
    const session: Session = {
      socket,
      splitter: new LineSplitter(1024 * 1024),
      authenticated: false,
      subscription: undefined,
      stalledUntil: 0,
      backlog: [],
      lastSentAt: performance.now(),
      heartbeat: undefined,
      timers: [],
    };
    this.sessions.add(session);
    socket.setNoDelay(true);
    const firstMessage = setTimeout(
      () => this.fail(session, undefined, 'TIMEOUT', true),
      this.settings.firstMessageTimeoutMs,
    );
    session.timers.push(firstMessage);
    socket.on('data', (chunk: Buffer) => {
      clearTimeout(firstMessage);
      for (const line of session.splitter.push(chunk)) {
        if (typeof line === 'string') this.onLine(session, line);
        else this.fail(session, undefined, 'INVALID_INPUT', true);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sessions.delete(session);
      for (const timer of session.timers) clearTimeout(timer);
      clearInterval(session.heartbeat);
    });
    this.deliver(session, { op: 'connection', connectionId: `sim-${this.stats.connections}` });
  }

  publish(change: SimChange | undefined): void {
    if (change === undefined) return;
    for (const session of this.sessions) {
      if (session.subscription === undefined) continue;
      const mc = this.visible(session, change.mc);
      if (mc.length === 0) continue;
      const { id } = session.subscription;
      this.deliver(session, { op: 'mcm', id, clk: this.engine.clk(change.seq), pt: change.pt, mc });
    }
  }

  dropAll(): void {
    for (const session of this.sessions) session.socket.destroy();
  }

  /** Tells every authenticated connection its session is gone (`errorCode`) and closes it. */
  endAuthenticated(errorCode: 'NO_SESSION' | 'INVALID_SESSION_INFORMATION'): void {
    for (const session of this.sessions) {
      if (!session.authenticated) continue;
      session.authenticated = false;
      session.subscription = undefined;
      this.fail(session, undefined, errorCode, true);
    }
  }

  sendRaw(line: string): void {
    for (const session of this.sessions)
      if (session.subscription !== undefined) this.deliver(session, `${line}\r\n`);
  }

  /** Holds every line (heartbeats too) back from the current connections for `ms`, then sends them. */
  stall(ms: number): void {
    for (const session of this.sessions) {
      session.stalledUntil = performance.now() + ms;
      const release = () => {
        session.stalledUntil = 0;
        for (const line of session.backlog.splice(0)) this.write(session, line);
      };
      session.timers.push(setTimeout(release, ms));
    }
  }

  private write(session: Session, line: string): void {
    const { socket } = session;
    if (socket.destroyed) return;
    session.lastSentAt = performance.now();
    // A consumer this far behind is cut off, as Betfair does; it resumes from its clocks.
    if (socket.writableLength > this.settings.maxBufferedBytes) return void socket.destroy();
    const size = this.settings.chunkBytes;
    if (size === undefined) return void socket.write(line);
    const bytes = Buffer.from(line);
    for (let at = 0; at < bytes.length; at += size) socket.write(bytes.subarray(at, at + size));
  }

  private deliver(session: Session, message: object | string): void {
    const line = typeof message === 'string' ? message : encodeLine(message);
    if (performance.now() < session.stalledUntil) session.backlog.push(line);
    else this.write(session, line);
  }

  private status(session: Session, id: number | undefined, fields: object = {}): void {
    this.deliver(session, { op: 'status', id, statusCode: 'SUCCESS', connectionClosed: false, ...fields });
  }

  private fail(session: Session, id: number | undefined, errorCode: string, closed: boolean): void {
    const fields = { statusCode: 'FAILURE', errorCode, errorMessage: errorCode, connectionClosed: closed };
    this.status(session, id, fields);
    if (closed) session.socket.end();
  }

  private visible(session: Session, mc: readonly MarketChange[]): MarketChange[] {
    return mc.filter((c) => this.engine.matches(c.id, session.subscription?.filter));
  }

  private onLine(session: Session, line: string): void {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return this.fail(session, undefined, 'INVALID_INPUT', true);
    }
    const parsed = requestSchema.safeParse(json);
    if (!parsed.success) return this.fail(session, undefined, 'INVALID_REQUEST', true);
    const request = parsed.data;
    if (request.op === 'heartbeat') {
      this.stats.heartbeatRequests++;
      return this.status(session, request.id);
    }
    if (request.op === 'marketSubscription') return this.subscribe(session, request);
    const { accounts } = this.settings;
    const errorCode =
      request.appKey !== accounts.settings.appKey
        ? 'INVALID_APP_KEY'
        : !accounts.isValid(request.session)
          ? 'INVALID_SESSION_INFORMATION'
          : undefined;
    if (errorCode !== undefined) {
      this.stats.authFailures++;
      return this.fail(session, request.id, errorCode, true);
    }
    session.authenticated = true;
    this.status(session, request.id, { connectionsAvailable: 9 });
  }

  private subscribe(session: Session, request: MarketSubscriptionRequest): void {
    const { engine, stats } = this;
    const id = request.id ?? 0;
    if (!session.authenticated) return this.fail(session, id, 'NO_SESSION', true);
    // Bounds of the swagger schema: the server loops back the value it actually uses.
    const heartbeatMs = Math.min(30_000, Math.max(500, request.heartbeatMs ?? 5_000));
    const { initialClk, clk } = request;
    const from = initialClk === engine.initialClk && clk !== undefined ? engine.seqOf(clk) : undefined;
    if (clk !== undefined && from === undefined) {
      stats.subscriptions.push({ initialClk, clk, answer: 'INVALID_CLOCK', missed: 0 });
      return this.fail(session, id, 'INVALID_CLOCK', false);
    }
    session.subscription = { id, filter: request.marketFilter };
    this.status(session, id);
    const missed = from === undefined ? undefined : engine.since(from);
    const answer = missed === undefined ? 'SUB_IMAGE' : 'RESUB_DELTA';
    stats.subscriptions.push({ initialClk, clk, answer, missed: missed?.length ?? 0 });
    const pt = this.settings.publishTime(engine.seq);
    if (missed === undefined) {
      this.sendImage(session, id, heartbeatMs, request.segmentationEnabled === true);
    } else if (missed.length === 0) {
      this.deliver(session, { op: 'mcm', id, ct: 'RESUB_DELTA', clk: engine.clk(), pt });
    } else {
      missed.forEach((change, i) => {
        const ct = i === 0 ? { ct: 'RESUB_DELTA' } : {};
        const mc = this.visible(session, change.mc);
        this.deliver(session, { op: 'mcm', id, ...ct, clk: engine.clk(change.seq), pt: change.pt, mc });
      });
    }
    const heartbeat = () => {
      const now = performance.now();
      if (now - session.lastSentAt < heartbeatMs || now < session.stalledUntil) return;
      const at = this.settings.publishTime(engine.seq);
      this.deliver(session, { op: 'mcm', id, ct: 'HEARTBEAT', clk: engine.clk(), pt: at });
    };
    clearInterval(session.heartbeat);
    session.heartbeat = setInterval(heartbeat, Math.max(50, heartbeatMs / 2));
  }

  private sendImage(session: Session, id: number, heartbeatMs: number, segmented: boolean): void {
    const { engine } = this;
    const image = this.visible(session, engine.image());
    const size = this.settings.segmentMarkets;
    const parts: MarketChange[][] = [];
    if (segmented) for (let at = 0; at < image.length; at += size) parts.push(image.slice(at, at + size));
    if (parts.length <= 1) parts.splice(0, parts.length, image);
    const pt = this.settings.publishTime(engine.seq);
    parts.forEach((mc, i) => {
      const last = i === parts.length - 1;
      const segmentType = parts.length === 1 ? undefined : i === 0 ? 'SEG_START' : last ? 'SEG_END' : 'SEG';
      // The clocks come with the last segment: only a whole image is a point to resume from.
      const clocks = last ? { initialClk: engine.initialClk, clk: engine.clk() } : {};
      this.deliver(session, {
        op: 'mcm',
        id,
        ct: 'SUB_IMAGE',
        segmentType,
        ...clocks,
        conflateMs: 0,
        heartbeatMs,
        pt,
        mc,
      });
    });
  }
}
