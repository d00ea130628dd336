import { connect, type Socket } from 'node:net';
import { PROTOCOL_3, cstring } from '../../stack/pg-wire/protocol.js';

/** Frontend messages written byte for byte, to send exactly the stream a test needs. */
function typed(type: string, body: Buffer): Buffer {
  const message = Buffer.alloc(5 + body.length);
  message.write(type, 0, 'latin1');
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return message;
}

const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

export const fe = {
  startup(): Buffer {
    const body = Buffer.concat([cstring('user'), cstring('postgres'), Buffer.from([0])]);
    return Buffer.concat([int32(8 + body.length), int32(PROTOCOL_3), body]);
  },
  parse: (sql: string, name = '') => typed('P', Buffer.concat([cstring(name), cstring(sql), int16(0)])),
  /** Bind of text parameters to a statement. */
  bind(values: string[], statement = ''): Buffer {
    const params = values.map((v) => {
      const bytes = Buffer.from(v, 'utf8');
      return Buffer.concat([int32(bytes.length), bytes]);
    });
    return typed(
      'B',
      Buffer.concat([cstring(''), cstring(statement), int16(0), int16(values.length), ...params, int16(0)]),
    );
  },
  describePortal: () => typed('D', Buffer.concat([Buffer.from('P'), cstring('')])),
  execute: () => typed('E', Buffer.concat([cstring(''), int32(0)])),
  sync: () => typed('S', Buffer.alloc(0)),
  query: (sql: string) => typed('Q', cstring(sql)),
  copyData: (data: Buffer | string) => typed('d', Buffer.from(data)),
  copyDone: () => typed('c', Buffer.alloc(0)),
  copyFail: (reason: string) => typed('f', cstring(reason)),
};

/** Parse+Bind of `INSERT INTO <table> VALUES ($1)` padded so that the Bind ends exactly at byte `end`. */
export function insertEndingAt(table: string, end: number): Buffer {
  const parse = fe.parse(`INSERT INTO ${table} VALUES ($1)`);
  const emptyBind = fe.bind(['']);
  const pad = end - parse.length - emptyBind.length;
  if (pad < 0) throw new Error(`cannot end at ${end}`);
  return Buffer.concat([parse, fe.bind(['x'.repeat(pad)])]);
}

/** The types of the backend messages in `bytes` ("1 2 n C Z"). */
export function messageTypes(bytes: Buffer): string[] {
  const types: string[] = [];
  for (let i = 0; i + 5 <= bytes.length; i += 1 + bytes.readInt32BE(i + 1))
    types.push(String.fromCharCode(bytes[i]!));
  return types;
}

/** A raw protocol connection: write bytes, read until a ReadyForQuery (or a timeout). */
export class RawConnection {
  private received = Buffer.alloc(0);
  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => (this.received = Buffer.concat([this.received, d])));
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<RawConnection> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const connection = new RawConnection(socket);
    socket.write(fe.startup());
    // A server may ask for a password (PGlite's own startup does; any is accepted there).
    const answer = await connection.untilReady(5_000, (types) => types[0] === 'R' && types.length === 1);
    if (answer.length >= 9 && answer.readInt32BE(5) !== 0) {
      socket.write(typed('p', cstring('test')));
      await connection.untilReady(5_000);
    }
    return connection;
  }

  /** Everything received since the last call once it ends in ReadyForQuery, or what came within `ms`. */
  async untilReady(ms: number, orWhen: (types: string[]) => boolean = () => false): Promise<Buffer> {
    const deadline = Date.now() + ms;
    while (
      Date.now() < deadline &&
      !this.endsInReady() &&
      !orWhen(messageTypes(this.received)) &&
      !this.socket.destroyed
    ) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const out = this.received;
    this.received = Buffer.alloc(0);
    return out;
  }

  async request(bytes: Buffer, ms = 5_000): Promise<string[]> {
    this.socket.write(bytes);
    return messageTypes(await this.untilReady(ms));
  }

  close(): void {
    this.socket.destroy();
  }

  private endsInReady(): boolean {
    const types = messageTypes(this.received);
    return types.at(-1) === 'Z';
  }
}
