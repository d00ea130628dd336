import type { Socket } from 'node:net';
import { pgliteChunks } from './pglite-chunks.js';
import {
  closeStatement,
  describeMessages,
  errorResponse,
  simpleQuery,
  summariseReply,
  sync,
  type FrontendMessage,
} from './protocol.js';
import { StatementNames } from './statement-names.js';

/** The part of PGlite the wire server needs. */
export interface WireBackend {
  /** One call: the bytes of whole frontend messages in, everything the backend answered out. */
  execProtocolRaw(message: Uint8Array): Promise<Uint8Array>;
  /** A fresh session, for when no client is connected: settings and every prepared statement. */
  resetSession(): Promise<void>;
  /** Drops what the backend retains of earlier replies (PGlite keeps every message it parsed). */
  releaseRetained(): Promise<void>;
}

export interface SessionLimits {
  /** How long a connection may wait for the session before it is refused. */
  queueTimeoutMs: number;
  /** How long the session's holder (open transaction, unfinished pipeline) may stay silent while others wait. */
  holdTimeoutMs: number;
}

/** A connected client, as the session sees it. */
export interface SessionClient {
  readonly id: number;
  readonly socket: Socket;
  readonly names: StatementNames;
  /** Messages received and not yet run. */
  pending: FrontendMessage[];
  closed: boolean;
  waitingSince: number | undefined;
}

export function newSessionClient(id: number, socket: Socket): SessionClient {
  return { id, socket, names: new StatementNames(id), pending: [], closed: false, waitingSince: undefined };
}

/** Units run between two releases of what PGlite retains of replies (see WireBackend.releaseRetained). */
const UNITS_PER_RELEASE = 256;

/** Message types after which the backend answers with ReadyForQuery. */
const settlingTypes = new Set(['S', 'Q', 'c', 'f']);

/**
 * One backend session shared by many connections, handed over only at transaction boundaries
 * (like PgBouncer's transaction pooling): a client holds the session from its first message until
 * a ReadyForQuery says "idle" — through an open transaction, an unfinished pipeline, an error
 * the backend is skipping to Sync. Clients wanting it wait in arrival order.
 *
 * What a shared session does not isolate (documented in docs/architecture.md): settings changed by
 * SET, temporary tables, LISTEN, advisory locks, SQL-level PREPARE — they are visible to the other
 * clients, as with PgBouncer.
 */
export class SharedSession {
  private owner: SessionClient | undefined;
  private readonly queue: SessionClient[] = [];
  private readonly departed: SessionClient[] = [];
  private readonly connected = new Set<SessionClient>();
  private pumping = false;
  private unitsSinceRelease = 0;
  private holdTimer: NodeJS.Timeout | undefined;
  private queueTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly backend: WireBackend,
    private readonly limits: SessionLimits,
    private readonly log: (line: string) => void,
    private readonly onBackendFailure: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  connect(client: SessionClient): void {
    this.connected.add(client);
  }

  /** Messages from a client that has finished its startup. */
  receive(client: SessionClient, messages: FrontendMessage[]): void {
    if (client.closed) return;
    client.pending.push(...messages);
    if (client !== this.owner) this.enqueue(client);
    this.kick();
  }

  /** Tells the client why, then closes its connection. */
  refuse(client: SessionClient, sqlstate: string, message: string): void {
    if (!client.closed) client.socket.end(errorResponse('FATAL', sqlstate, message));
    client.socket.destroySoon();
    this.disconnect(client);
  }

  /** The client's socket is gone: whatever it left on the session is undone when the session is free. */
  disconnect(client: SessionClient): void {
    if (!this.connected.delete(client)) return;
    client.closed = true;
    client.pending = [];
    const waiting = this.queue.indexOf(client);
    if (waiting >= 0) this.queue.splice(waiting, 1);
    if (client !== this.owner) this.departed.push(client);
    this.kick();
  }

  private enqueue(client: SessionClient): void {
    if (this.queue.includes(client)) return;
    client.waitingSince = this.now();
    this.queue.push(client);
    this.queueTimer ??= setInterval(
      () => this.refuseLongWaits(),
      Math.min(1_000, this.limits.queueTimeoutMs),
    );
    this.queueTimer.unref();
  }

  private kick(): void {
    if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (;;) {
        const owner = this.owner;
        if (owner?.closed) {
          this.owner = undefined;
          await this.undoLeftovers(owner, true);
          continue;
        }
        if (!owner) {
          const gone = this.departed.shift();
          if (gone) {
            await this.undoLeftovers(gone, false);
            continue;
          }
          const next = this.queue.shift();
          if (!next) break;
          next.waitingSince = undefined;
          this.owner = next;
          continue;
        }
        const unit = takeUnit(owner);
        if (!unit) {
          // The owner holds the session (a transaction or a pipeline not finished) and has said
          // nothing more yet.
          this.armHoldTimer(owner);
          break;
        }
        const settled = await this.run(owner, unit);
        if (settled === 'idle') {
          this.owner = undefined;
          if (owner.pending.length > 0) this.enqueue(owner);
          if (++this.unitsSinceRelease >= UNITS_PER_RELEASE) {
            this.unitsSinceRelease = 0;
            await this.backend.releaseRetained();
          }
        }
      }
    } catch (err) {
      // Even undoing a client's leftovers failed: the backend is broken and nothing can be served.
      for (const client of [...this.connected])
        this.refuse(client, '57P01', 'embedded TimescaleDB: the database failed');
      this.onBackendFailure(err);
    } finally {
      this.pumping = false;
    }
  }

  /**
   * Runs one unit of a client's messages, PGlite-safe chunk by chunk, and forwards the replies.
   * Returns 'idle' when the session can change hands.
   */
  private async run(client: SessionClient, unit: FrontendMessage[]): Promise<'idle' | 'held'> {
    this.clearHoldTimer();
    let state: 'idle' | 'held' = 'held';
    for (const chunk of pgliteChunks(unit.map((m) => client.names.rewrite(m)))) {
      let reply: Uint8Array;
      try {
        reply = await this.backend.execProtocolRaw(concat(chunk));
      } catch (err) {
        this.log(
          `connection ${client.id}: the database failed on ${describeMessages(chunk)}: ${String(err)}`,
        );
        this.refuse(client, 'XX000', 'embedded TimescaleDB: the database failed on this request');
        return 'held';
      }
      if (reply.length > 0 && !client.closed) client.socket.write(reply);
      const lastType = chunk[chunk.length - 1]!.type;
      const { readyStatus, awaitsCopyData } = summariseReply(reply);
      if (settlingTypes.has(lastType) && readyStatus === undefined && !awaitsCopyData) {
        // Never wait in silence: a request that should have ended in ReadyForQuery and did not is
        // a lost answer; the client must hear it and its pool must drop the connection.
        this.log(
          `connection ${client.id}: no ReadyForQuery after a chunk ending in ${lastType} (${describeMessages(chunk)}); closing it`,
        );
        this.refuse(
          client,
          '08P01',
          'embedded TimescaleDB: the database did not answer a whole request; retry on a new connection',
        );
        return 'held';
      }
      state = readyStatus === 'I' && settlingTypes.has(lastType) && !awaitsCopyData ? 'idle' : 'held';
    }
    return state;
  }

  /**
   * Undoes what a departed client may have left: an open or failed transaction, a pipeline
   * half-run, an error the backend is skipping to Sync. A ROLLBACK first (ignored while skipping,
   * it aborts an implicit transaction that a Sync would have committed), then Sync (ends the
   * skipping), then ROLLBACK again. Its prepared statements are closed; with no client left the
   * whole session is reset.
   */
  private async undoLeftovers(client: SessionClient, heldSession: boolean): Promise<void> {
    if (heldSession) {
      await this.backend.execProtocolRaw(simpleQuery('ROLLBACK'));
      await this.backend.execProtocolRaw(sync());
      const { readyStatus } = summariseReply(await this.backend.execProtocolRaw(simpleQuery('ROLLBACK')));
      if (readyStatus !== 'I')
        this.log(`connection ${client.id}: session not idle after its rollback (${readyStatus})`);
    }
    if (this.connected.size === 0 && this.departed.length === 0) {
      await this.backend.resetSession();
      return;
    }
    const names = client.names.serverNames();
    if (names.length > 0) {
      await this.backend.execProtocolRaw(Buffer.concat([...names.map(closeStatement), sync()]));
    }
  }

  private armHoldTimer(owner: SessionClient): void {
    this.clearHoldTimer();
    this.holdTimer = setTimeout(() => {
      if (this.owner !== owner || owner.closed || owner.pending.length > 0) return;
      if (this.queue.length === 0) {
        this.armHoldTimer(owner);
        return;
      }
      this.log(
        `connection ${owner.id}: held the session ${this.limits.holdTimeoutMs} ms without a word while ${this.queue.length} waited; closing it`,
      );
      this.refuse(
        owner,
        '25P03',
        `embedded TimescaleDB: connection closed after holding the session (open transaction) idle for ${this.limits.holdTimeoutMs} ms while others waited`,
      );
      this.kick();
    }, this.limits.holdTimeoutMs);
    this.holdTimer.unref();
  }

  private clearHoldTimer(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
  }

  private refuseLongWaits(): void {
    const now = this.now();
    for (const client of [...this.queue]) {
      if (client.waitingSince !== undefined && now - client.waitingSince > this.limits.queueTimeoutMs) {
        this.log(
          `connection ${client.id}: waited over ${this.limits.queueTimeoutMs} ms for the session; refused`,
        );
        this.refuse(
          client,
          '53300',
          `embedded TimescaleDB: waited ${this.limits.queueTimeoutMs} ms for the database session (it serves one transaction at a time); retry`,
        );
      }
    }
    if (this.queue.length === 0 && this.queueTimer) {
      clearInterval(this.queueTimer);
      this.queueTimer = undefined;
    }
  }
}

/** The messages to run next: up to the first one the backend answers with ReadyForQuery, or all. */
function takeUnit(client: SessionClient): FrontendMessage[] | undefined {
  if (client.pending.length === 0) return undefined;
  const end = client.pending.findIndex((m) => settlingTypes.has(m.type));
  return client.pending.splice(0, end < 0 ? client.pending.length : end + 1);
}

function concat(messages: readonly FrontendMessage[]): Uint8Array {
  return messages.length === 1 ? messages[0]!.bytes : Buffer.concat(messages.map((m) => m.bytes));
}
