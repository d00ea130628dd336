import { createServer, type Server, type Socket } from 'node:net';

/** The part of PGlite this server needs. */
export interface WireBackend {
  execProtocolRaw(message: Uint8Array): Promise<Uint8Array>;
  /** Restores a clean session after a client leaves (its transaction, settings, statements). */
  resetSession(): Promise<void>;
}

export interface WireServerOptions {
  host: string;
  port: number;
  /** How long a connection may wait for the one before it to finish. */
  queueTimeoutMs: number;
  log: (line: string) => void;
}

/**
 * Splits a byte stream into whole PostgreSQL protocol messages
 * (https://www.postgresql.org/docs/current/protocol-message-formats.html): the first message of a
 * connection (startup, SSL or cancel request) is an int32 length and its body; every later one is
 * a type byte, then an int32 length that counts itself but not the type byte.
 */
export class MessageFramer {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;

  /** Adds bytes; returns the whole messages now complete (concatenated), or null. */
  push(chunk: Buffer): Buffer | null {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let end = 0;
    for (;;) {
      const headerBytes = this.started ? 5 : 4;
      if (this.buffer.length - end < headerBytes) break;
      const length = this.started ? this.buffer.readInt32BE(end + 1) + 1 : this.buffer.readInt32BE(end);
      if (length < headerBytes || this.buffer.length - end < length) break;
      end += length;
      this.started = true;
    }
    if (end === 0) return null;
    const complete = this.buffer.subarray(0, end);
    this.buffer = this.buffer.subarray(end);
    return complete;
  }
}

/**
 * A PostgreSQL wire-protocol server for a single-session backend (PGlite): one connection at a
 * time (later ones wait in order), whole messages only, processed strictly in sequence, and the
 * session reset between connections. pglite-socket 0.0.19 hands PGlite each socket read as it
 * comes (a statement over one 64 KiB read killed the server) and runs reads concurrently.
 */
export function startWireServer(backend: WireBackend, options: WireServerOptions): Promise<Server> {
  let queue: Promise<void> = Promise.resolve();

  const serve = (socket: Socket): Promise<void> =>
    new Promise<void>((done) => {
      const framer = new MessageFramer();
      let work: Promise<void> = Promise.resolve();
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        socket.destroy();
        // Whatever the client left open (a transaction of a killed process) must not leak into the next one.
        void work
          .then(() => backend.resetSession())
          .catch((err: unknown) => options.log(`session reset failed: ${String(err)}`))
          .then(done);
      };
      socket.on('data', (chunk: Buffer) => {
        const messages = framer.push(chunk);
        if (!messages) return;
        const bytes = new Uint8Array(messages);
        work = work.then(async () => {
          if (finished) return;
          const reply = await backend.execProtocolRaw(bytes);
          if (reply.length > 0 && socket.writable) socket.write(reply);
        });
        work.catch((err: unknown) => {
          options.log(`protocol error, closing the connection: ${String(err)}`);
          finish();
        });
      });
      socket.on('error', finish);
      socket.on('close', finish);
      socket.resume();
    });

  const server = createServer({ pauseOnConnect: true }, (socket) => {
    const waitingSince = Date.now();
    const turn = queue.then(async () => {
      if (socket.destroyed) return;
      if (Date.now() - waitingSince > options.queueTimeoutMs) {
        socket.destroy();
        return;
      }
      await serve(socket);
    });
    queue = turn.catch(() => undefined);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve(server));
  });
}
