import type { Socket } from 'node:net';
import {
  clientPosition,
  matchCopyFromStdin,
  mentionsCopyFromStdin,
  type CopyFromStdin,
} from './copy-from-stdin.js';
import { pgliteChunks } from './pglite-chunks.js';
import {
  closeStatement,
  commandComplete,
  copyInResponse,
  describeMessages,
  errorResponse,
  isPostgresError,
  messageSqlBytes,
  postgresErrorResponse,
  readyForQuery,
  simpleQuery,
  summariseReply,
  sync,
  withSql,
  type FrontendMessage,
} from './protocol.js';
import { StatementNames } from './statement-names.js';

/** The part of PGlite the wire server needs. */
export interface WireBackend {
  /** One call: the bytes of whole frontend messages in, everything the backend answered out. */
  execProtocolRaw(message: Uint8Array): Promise<Uint8Array>;
  /**
   * Runs a `COPY … FROM '/dev/blob'` statement reading `data`; resolves to the rows copied. A
   * statement that fails rejects with PostgreSQL's error (SQLSTATE in `code`) and leaves the
   * session as any failed statement does: an explicit transaction aborted, none begun or ended.
   */
  copyFrom(sql: string, data: Uint8Array): Promise<number>;
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
  /** The COPY FROM STDIN whose data the client is sending, if it is in copy-in. */
  copyIn: CopyIn | undefined;
  closed: boolean;
  waitingSince: number | undefined;
}

/** A COPY FROM STDIN being received: its statement and the CopyData so far. */
interface CopyIn {
  statement: CopyFromStdin;
  chunks: Buffer[];
  bytes: number;
}

export function newSessionClient(id: number, socket: Socket): SessionClient {
  return {
    id,
    socket,
    names: new StatementNames(id),
    pending: [],
    copyIn: undefined,
    closed: false,
    waitingSince: undefined,
  };
}

/** Units run between two releases of what PGlite retains of replies (see WireBackend.releaseRetained). */
const UNITS_PER_RELEASE = 256;

/** Message types after which the backend answers with ReadyForQuery. */
const settlingTypes = new Set(['S', 'Q']);

/**
 * CopyData, CopyDone, CopyFail: the server takes them itself during a client's copy-in (PGlite
 * never sees a COPY FROM STDIN); outside one PostgreSQL drops them without a word, as they may
 * follow a COPY that failed before the client had finished sending.
 */
const copyTypes = new Set(['d', 'c', 'f']);

/** Flush and Sync: PostgreSQL ignores them while a client is in copy-in. */
const ignoredInCopyIn = new Set(['H', 'S']);

/**
 * A statement that fails, run where PostgreSQL would have failed a COPY that PGlite never saw (the
 * client sent CopyFail): an explicit transaction is left aborted, as PostgreSQL leaves it, and the
 * reply's ReadyForQuery says so. Its own error is not the one the client is told.
 */
const FAILING_STATEMENT = `DO $$BEGIN RAISE EXCEPTION USING ERRCODE = '57014', MESSAGE = 'COPY from stdin failed'; END$$`;

/**
 * What PGlite runs instead of a COPY FROM STDIN the server does not serve: PGlite itself cannot
 * run one (it breaks for good, for every client), so the client gets this error instead.
 */
const UNSERVED_COPY = `DO $$BEGIN RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = 'embedded TimescaleDB: COPY ... FROM STDIN is served only as a simple query of its own, not among other statements nor as a prepared statement'; END$$`;

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
  /** The owner's last step left the session held (a transaction, a pipeline or a COPY unfinished). */
  private holding = false;
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
    client.copyIn = undefined;
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
          this.holding = false;
          continue;
        }
        if (owner.pending.length === 0) {
          // The owner holds the session (a transaction, a pipeline or a COPY not finished) and has
          // said nothing more yet.
          this.armHoldTimer(owner);
          break;
        }
        const settled = await this.step(owner);
        this.holding = settled === 'held';
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
   * Runs the owner's next messages: its copy data while it is in copy-in, else its next unit (a
   * COPY FROM STDIN query starts copy-in). Returns 'idle' when the session can change hands.
   */
  private async step(client: SessionClient): Promise<'idle' | 'held'> {
    this.clearHoldTimer();
    if (client.copyIn) return this.continueCopy(client, client.copyIn);
    const unit = takeUnit(client).filter((m) => !copyTypes.has(m.type));
    const last = unit[unit.length - 1];
    if (!last) return this.holding ? 'held' : 'idle'; // only dropped copy messages: nothing changed
    const copy = last.type === 'Q' ? servedCopy(last) : undefined;
    if (!copy) return this.run(client, unit);
    if (unit.length > 1) {
      // An unsynced pipeline sent before the COPY runs first, as the backend would run it.
      client.pending.unshift(last);
      return this.run(client, unit.slice(0, -1));
    }
    client.copyIn = { statement: copy, chunks: [], bytes: 0 };
    client.socket.write(copyInResponse(copy.binary, copy.columns));
    return 'held';
  }

  /**
   * Runs one unit of a client's messages, PGlite-safe chunk by chunk, and forwards the replies in
   * one write, as PostgreSQL sends a pipeline's answers at its Sync: a unit answered in two writes
   * made the client's delayed ACK hold the second (with Nagle's algorithm, up to 40 ms).
   */
  private async run(client: SessionClient, unit: FrontendMessage[]): Promise<'idle' | 'held'> {
    let state: 'idle' | 'held' = 'held';
    const replies: Buffer[] = [];
    const forward = (): void => {
      if (replies.length > 0 && !client.closed)
        client.socket.write(replies.length === 1 ? replies[0]! : Buffer.concat(replies));
    };
    for (const chunk of pgliteChunks(unit.map((m) => client.names.rewrite(refuseUnservedCopy(m))))) {
      let reply: Uint8Array;
      try {
        reply = await this.backend.execProtocolRaw(concat(chunk));
      } catch (err) {
        forward();
        return this.backendFailed(client, describeMessages(chunk), err);
      }
      // A copy: PGlite's reply is a view of its receive buffer, which its next call writes over.
      if (reply.length > 0) replies.push(Buffer.from(reply));
      const lastType = chunk[chunk.length - 1]!.type;
      const { readyStatus, awaitsCopyData } = summariseReply(reply);
      if (settlingTypes.has(lastType) && readyStatus === undefined && !awaitsCopyData) {
        forward();
        return this.lostAnswer(client, `a chunk ending in ${lastType} (${describeMessages(chunk)})`);
      }
      state = readyStatus === 'I' && settlingTypes.has(lastType) && !awaitsCopyData ? 'idle' : 'held';
    }
    forward();
    return state;
  }

  /**
   * Takes the client's CopyData until CopyDone (the COPY runs) or CopyFail, by PostgreSQL's rules:
   * Flush and Sync are ignored, any other message fails the COPY and is dropped.
   */
  private async continueCopy(client: SessionClient, copy: CopyIn): Promise<'idle' | 'held'> {
    let taken = 0;
    let end: FrontendMessage | undefined;
    for (const message of client.pending) {
      taken++;
      if (message.type === 'd') {
        const data = message.bytes.subarray(5);
        copy.chunks.push(data);
        copy.bytes += data.length;
      } else if (!ignoredInCopyIn.has(message.type)) {
        end = message;
        break;
      }
    }
    client.pending.splice(0, taken);
    if (!end) return 'held';
    client.copyIn = undefined;
    if (end.type === 'c') return this.finishCopy(client, copy);
    if (end.type === 'f') {
      return this.failCopy(client, '57014', `COPY from stdin failed: ${cstringAt(end.bytes, 5)}`);
    }
    const type = end.bytes[0]!.toString(16).toUpperCase().padStart(2, '0');
    return this.failCopy(client, '08P01', `unexpected message type 0x${type} during COPY from stdin`);
  }

  /** Runs the COPY on the data received and answers as PostgreSQL would: `COPY n`, or the error. */
  private async finishCopy(client: SessionClient, copy: CopyIn): Promise<'idle' | 'held'> {
    // One copy of the data, made once: CopyData can come in thousands of messages.
    const data = Buffer.concat(copy.chunks, copy.bytes);
    copy.chunks = [];
    let answer: Buffer;
    try {
      answer = commandComplete(`COPY ${await this.backend.copyFrom(copy.statement.blobSql, data)}`);
    } catch (err) {
      if (!isPostgresError(err)) return this.backendFailed(client, 'COPY FROM STDIN', err);
      // The position PGlite gives is in the '/dev/blob' text; the client's has STDIN there.
      const position = err.position && String(clientPosition(copy.statement, Number(err.position)));
      answer = postgresErrorResponse(err, { position });
    }
    // copyFrom ended with its own Sync: this one only asks for the transaction status.
    return this.answer(client, answer, sync());
  }

  /** Fails a COPY PGlite never ran, leaving the session as PostgreSQL's failed COPY would. */
  private async failCopy(client: SessionClient, sqlstate: string, message: string): Promise<'idle' | 'held'> {
    return this.answer(client, errorResponse('ERROR', sqlstate, message), simpleQuery(FAILING_STATEMENT));
  }

  /**
   * Sends the client `answer` and a ReadyForQuery with the session's real transaction status, read
   * from PGlite's reply to `statusRequest`.
   */
  private async answer(
    client: SessionClient,
    answer: Buffer,
    statusRequest: Buffer,
  ): Promise<'idle' | 'held'> {
    let readyStatus: 'I' | 'T' | 'E' | undefined;
    try {
      ({ readyStatus } = summariseReply(await this.backend.execProtocolRaw(statusRequest)));
    } catch (err) {
      return this.backendFailed(client, 'the status after a COPY', err);
    }
    if (readyStatus === undefined) return this.lostAnswer(client, 'the status request after a COPY');
    if (!client.closed) client.socket.write(Buffer.concat([answer, readyForQuery(readyStatus)]));
    return readyStatus === 'I' ? 'idle' : 'held';
  }

  private backendFailed(client: SessionClient, what: string, err: unknown): 'held' {
    this.log(`connection ${client.id}: the database failed on ${what}: ${String(err)}`);
    this.refuse(client, 'XX000', 'embedded TimescaleDB: the database failed on this request');
    return 'held';
  }

  /**
   * Never wait in silence: a request that should have ended in ReadyForQuery and did not is a lost
   * answer; the client must hear it and its pool must drop the connection.
   */
  private lostAnswer(client: SessionClient, what: string): 'held' {
    this.log(`connection ${client.id}: no ReadyForQuery after ${what}; closing it`);
    this.refuse(
      client,
      '08P01',
      'embedded TimescaleDB: the database did not answer a whole request; retry on a new connection',
    );
    return 'held';
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
function takeUnit(client: SessionClient): FrontendMessage[] {
  const end = client.pending.findIndex((m) => settlingTypes.has(m.type));
  return client.pending.splice(0, end < 0 ? client.pending.length : end + 1);
}

/** The COPY FROM STDIN a Query message asks for, if the server serves it (see copy-from-stdin.ts). */
function servedCopy(query: FrontendMessage): CopyFromStdin | undefined {
  const bytes = messageSqlBytes(query);
  if (!bytes) return undefined;
  const sql = bytes.toString('utf8');
  const copy = matchCopyFromStdin(sql);
  // Text that does not survive decoding (not UTF-8) is not rewritten; refuseUnservedCopy has it.
  return copy && Buffer.from(sql, 'utf8').equals(bytes) ? copy : undefined;
}

/** A Query or Parse carrying a COPY FROM STDIN not served here, made to fail instead of reaching PGlite. */
function refuseUnservedCopy(message: FrontendMessage): FrontendMessage {
  const bytes = messageSqlBytes(message);
  // Latin-1 reads any byte: the keywords are ASCII in every client encoding.
  return bytes && mentionsCopyFromStdin(bytes.toString('latin1')) ? withSql(message, UNSERVED_COPY) : message;
}

/** The NUL-terminated string at `start` (to the end if there is no NUL). */
function cstringAt(bytes: Buffer, start: number): string {
  const end = bytes.indexOf(0, start);
  return bytes.toString('utf8', start, end < 0 ? bytes.length : end);
}

function concat(messages: readonly FrontendMessage[]): Uint8Array {
  return messages.length === 1 ? messages[0]!.bytes : Buffer.concat(messages.map((m) => m.bytes));
}
