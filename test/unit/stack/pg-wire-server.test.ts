import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageFramer, startWireServer, type WireBackend } from '../../../stack/pg-wire-server.js';

const startup = (body = 'user\0postgres\0\0') => {
  const b = Buffer.alloc(8 + body.length);
  b.writeInt32BE(b.length, 0);
  b.writeInt32BE(196608, 4); // protocol 3.0
  b.write(body, 8, 'latin1');
  return b;
};
const message = (type: string, body: Buffer | string) => {
  const payload = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const b = Buffer.alloc(5 + payload.length);
  b.write(type, 0, 'latin1');
  b.writeInt32BE(4 + payload.length, 1);
  payload.copy(b, 5);
  return b;
};

describe('MessageFramer', () => {
  it('returns only whole messages, however the bytes are split', () => {
    const stream = Buffer.concat([
      startup(),
      message('Q', 'SELECT 1\0'),
      message('Q', Buffer.alloc(200_000, 65)),
    ]);
    const framer = new MessageFramer();
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 7_001) {
      const complete = framer.push(stream.subarray(i, i + 7_001));
      if (complete) out.push(Buffer.from(complete));
    }
    expect(Buffer.concat(out).equals(stream)).toBe(true);
    // every returned piece ends on a message boundary: the last one ends with the big message
    expect(out.at(-1)!.length).toBeGreaterThanOrEqual(7_001);
  });

  it('holds a partial header until the rest arrives', () => {
    const framer = new MessageFramer();
    expect(framer.push(startup().subarray(0, 3))).toBeNull();
    expect(framer.push(startup().subarray(3))?.length).toBe(startup().length);
    const q = message('Q', 'SELECT 1\0');
    expect(framer.push(q.subarray(0, 4))).toBeNull();
    expect(framer.push(q.subarray(4))?.equals(q)).toBe(true);
  });
});

describe('wire server', () => {
  const closers: (() => void)[] = [];
  afterEach(() => closers.splice(0).forEach((c) => c()));

  it('hands the backend whole messages in order, one connection at a time, and resets between connections', async () => {
    const events: string[] = [];
    const backend: WireBackend = {
      async execProtocolRaw(bytes) {
        events.push(`exec ${bytes.length}`);
        await new Promise((r) => setTimeout(r, 5));
        return new Uint8Array([90]);
      },
      async resetSession() {
        events.push('reset');
      },
    };
    const server = await startWireServer(backend, {
      host: '127.0.0.1',
      port: 0,
      queueTimeoutMs: 5_000,
      log: () => undefined,
    });
    closers.push(() => server.close());
    const port = (server.address() as AddressInfo).port;
    const big = message('Q', Buffer.alloc(150_000, 66));

    // Like a client: the startup message, its answer, then the query (in pieces, as a TCP
    // stream may deliver it), its answer, then goodbye.
    const session = (payload: Buffer) =>
      new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(startup()));
        let answers = 0;
        socket.on('data', () => {
          answers++;
          if (answers === 1)
            for (let i = 0; i < payload.length; i += 10_000) socket.write(payload.subarray(i, i + 10_000));
          else socket.end();
        });
        socket.on('close', () => resolve());
      });
    await Promise.all([session(big), session(message('Q', 'SELECT 1\0'))]);
    await new Promise((r) => setTimeout(r, 50));

    const execs = events.filter((e) => e.startsWith('exec'));
    expect(execs).toContain(`exec ${big.length}`);
    // the second connection's messages only after the first was reset
    const firstReset = events.indexOf('reset');
    expect(firstReset).toBeGreaterThan(0);
    expect(events.slice(firstReset + 1).some((e) => e.startsWith('exec'))).toBe(true);
    expect(events.filter((e) => e === 'reset')).toHaveLength(2);
  });
});
