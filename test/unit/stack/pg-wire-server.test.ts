import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PGLITE_RECV_BUFFER_BYTES, pgliteChunks } from '../../../stack/pg-wire/pglite-chunks.js';
import { MessageFramer, type FrontendMessage } from '../../../stack/pg-wire/protocol.js';
import { StatementNames } from '../../../stack/pg-wire/statement-names.js';
import { fe } from '../../helpers/pg-frontend.js';

const message = (type: string, size: number): FrontendMessage => {
  const bytes = Buffer.alloc(size);
  bytes.write(type, 0, 'latin1');
  bytes.writeInt32BE(size - 1, 1);
  return { type, bytes };
};

describe('MessageFramer', () => {
  it('returns only whole messages, in order, however the bytes are split', () => {
    const stream = Buffer.concat([fe.startup(), fe.query('SELECT 1'), fe.query('x'.repeat(200_000))]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70_000 }), (step) => {
        const framer = new MessageFramer();
        const out: FrontendMessage[] = [];
        for (let i = 0; i < stream.length; i += step) out.push(...framer.push(stream.subarray(i, i + step)));
        expect(out.map((m) => m.type)).toEqual(['', 'Q', 'Q']);
        expect(Buffer.concat(out.map((m) => m.bytes)).equals(stream)).toBe(true);
      }),
    );
  });

  it('stays untyped through an SSL request until the startup message', () => {
    const ssl = Buffer.alloc(8);
    ssl.writeInt32BE(8, 0);
    ssl.writeInt32BE(80877103, 4);
    const framer = new MessageFramer();
    expect(framer.push(ssl).map((m) => m.type)).toEqual(['']);
    expect(framer.push(Buffer.concat([fe.startup(), fe.sync()])).map((m) => m.type)).toEqual(['', 'S']);
  });

  it('refuses a length below the header instead of looping', () => {
    const framer = new MessageFramer();
    framer.push(fe.startup());
    expect(() => framer.push(Buffer.from([0x51, 0, 0, 0, 2]))).toThrow(/below its header/);
  });
});

describe('pgliteChunks', () => {
  it('never leaves a message boundary inside a chunk at or past the first 8,192 bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 5, max: 20_000 }), { minLength: 1, maxLength: 40 }), (sizes) => {
        const messages = sizes.map((size) => message('B', size));
        const chunks = pgliteChunks(messages);
        expect(chunks.flat()).toEqual(messages);
        for (const chunk of chunks) {
          let end = 0;
          for (const m of chunk.slice(0, -1)) {
            end += m.bytes.length;
            expect(end).toBeLessThan(PGLITE_RECV_BUFFER_BYTES);
          }
        }
      }),
    );
  });

  it('keeps a small pipeline in one call and splits after the message that reaches 8,192 bytes', () => {
    const pipeline = [
      message('P', 100),
      message('B', 8092),
      message('D', 7),
      message('E', 10),
      message('S', 5),
    ];
    expect(pgliteChunks(pipeline).map((c) => c.map((m) => m.type).join(''))).toEqual(['PB', 'DES']);
    const small = [message('P', 100), message('B', 200), message('S', 5)];
    expect(pgliteChunks(small)).toHaveLength(1);
  });
});

describe('StatementNames', () => {
  const nameIn = (bytes: Buffer, start: number) => bytes.toString('utf8', start, bytes.indexOf(0, start));

  it("gives a client's named statements names of its own in Parse, Bind, Describe and Close, with lengths fixed", () => {
    const names = new StatementNames(7);
    const parse = names.rewrite({ type: 'P', bytes: fe.parse('SELECT $1', 'upsert_odds') });
    expect(nameIn(parse.bytes, 5)).toBe('c7_0');
    expect(parse.bytes.readInt32BE(1)).toBe(parse.bytes.length - 1);
    expect(nameIn(parse.bytes, 5 + 'c7_0'.length + 1)).toBe('SELECT $1');

    const bind = names.rewrite({ type: 'B', bytes: fe.bind(['v'], 'upsert_odds') });
    expect(nameIn(bind.bytes, 6)).toBe('c7_0'); // after the unnamed portal
    expect(bind.bytes.readInt32BE(1)).toBe(bind.bytes.length - 1);
    expect(names.serverNames()).toEqual(['c7_0']);
  });

  it('leaves the unnamed statement and portals alone', () => {
    const names = new StatementNames(1);
    const parse = fe.parse('SELECT 1');
    expect(names.rewrite({ type: 'P', bytes: parse }).bytes).toBe(parse);
    expect(names.rewrite({ type: 'D', bytes: fe.describePortal() }).bytes.equals(fe.describePortal())).toBe(
      true,
    );
    expect(names.serverNames()).toEqual([]);
  });
});
