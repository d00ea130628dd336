import { randomInt } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import {
  CANCEL_REQUEST,
  GSSENC_REQUEST,
  MessageFramer,
  PROTOCOL_3,
  SSL_REQUEST,
  authenticationOk,
  backendKeyData,
  cstring,
  errorResponse,
  parameterStatusMessages,
  readyForQuery,
  type FrontendMessage,
} from './pg-wire/protocol.js';
import {
  SharedSession,
  newSessionClient,
  type SessionLimits,
  type WireBackend,
} from './pg-wire/shared-session.js';

export type { WireBackend } from './pg-wire/shared-session.js';

export interface WireServerOptions extends SessionLimits {
  host: string;
  port: number;
  log: (line: string) => void;
  /** The backend broke beyond one connection's request (the process should end). */
  onBackendFailure: (err: unknown) => void;
}

/**
 * The backend's own answer to a startup, learnt once: its ParameterStatus messages (server
 * version, encodings, DateStyle...) are what every client is told at its own startup. PGlite asks
 * for a password (any is accepted), so one is sent when asked.
 */
async function learnParameterStatus(backend: WireBackend): Promise<Buffer[]> {
  const body = Buffer.concat([
    cstring('user'),
    cstring('postgres'),
    cstring('database'),
    cstring('postgres'),
    Buffer.from([0]),
  ]);
  const startup = Buffer.alloc(8 + body.length);
  startup.writeInt32BE(startup.length, 0);
  startup.writeInt32BE(PROTOCOL_3, 4);
  body.copy(startup, 8);
  let reply = Buffer.from(await backend.execProtocolRaw(startup));
  const asksPassword = reply[0] === 0x52 && reply.length >= 9 && reply.readInt32BE(5) !== 0;
  if (asksPassword) {
    const password = cstring('embedded');
    const message = Buffer.alloc(5 + password.length);
    message.write('p', 0, 'latin1');
    message.writeInt32BE(4 + password.length, 1);
    password.copy(message, 5);
    reply = Buffer.from(await backend.execProtocolRaw(message));
  }
  return parameterStatusMessages(reply);
}

/**
 * A PostgreSQL wire-protocol server in front of a single-session backend (PGlite): many
 * connections, one shared session handed over at transaction boundaries (see SharedSession),
 * messages run in order and in chunks PGlite cannot drop (see pgliteChunks).
 *
 * Every connection is accepted without a password: the server listens on loopback only and is
 * the local stack's demo and test database, never a production one.
 */
export async function startWireServer(backend: WireBackend, options: WireServerOptions): Promise<Server> {
  const parameterStatus = await learnParameterStatus(backend);
  await backend.resetSession();
  const session = new SharedSession(backend, options, options.log, options.onBackendFailure);
  let nextId = 1;

  const startupReply = (id: number): Buffer =>
    Buffer.concat([
      authenticationOk(),
      ...parameterStatus,
      backendKeyData(id, randomInt(2 ** 31)),
      readyForQuery('I'),
    ]);

  const serve = (socket: Socket): void => {
    // As PostgreSQL sets it on its own sockets: an answer must not wait for the client's (delayed)
    // ACK of the one before, which with Nagle's algorithm takes up to 40 ms.
    socket.setNoDelay(true);
    const client = newSessionClient(nextId++, socket);
    const framer = new MessageFramer();
    let started = false;

    const startupPhase = (message: FrontendMessage): void => {
      const code = message.bytes.length >= 8 ? message.bytes.readInt32BE(4) : 0;
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        socket.write('N'); // no encryption on a loopback server: the client goes on in plain text
      } else if (code === PROTOCOL_3) {
        started = true;
        session.connect(client);
        socket.write(startupReply(client.id));
      } else if (code === CANCEL_REQUEST) {
        socket.destroy(); // cancelling would need interrupting PGlite mid-call, which it cannot do
      } else {
        socket.end(
          errorResponse('FATAL', '0A000', `embedded TimescaleDB: unsupported protocol request ${code}`),
        );
      }
    };

    socket.on('data', (chunk: Buffer) => {
      let messages: FrontendMessage[];
      try {
        messages = framer.push(chunk);
      } catch (err) {
        options.log(`connection ${client.id}: ${String(err)}; closing it`);
        session.refuse(client, '08P01', `embedded TimescaleDB: ${String(err)}`);
        socket.destroy();
        return;
      }
      const typed: FrontendMessage[] = [];
      for (const message of messages) {
        if (!started) startupPhase(message);
        else if (message.type === 'X')
          socket.end(); // Terminate
        else typed.push(message);
      }
      if (typed.length > 0) session.receive(client, typed);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => session.disconnect(client));
  };

  const server = createServer(serve);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve(server));
  });
}
