import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  copyChunks,
  copyStatement,
  NoCopyValue,
  type CopyTableSpec,
  type CopyType,
} from '../../../../sinks/timescale/copy.js';

const pgEpochMs = Date.UTC(2000, 0, 1);

/** One field read back as PostgreSQL's `recv` of the column's type reads it (sql-copy.html, "Binary Format"). */
function readValue(type: CopyType, field: Buffer): unknown {
  switch (type) {
    case 'text':
      return field.toString('utf8');
    case 'jsonb':
      expect(field[0]).toBe(1); // jsonb's binary version
      return field.subarray(1).toString('utf8');
    case 'float8':
      expect(field.length).toBe(8);
      return field.readDoubleBE(0);
    case 'int4':
      expect(field.length).toBe(4);
      return field.readInt32BE(0);
    case 'int8':
      expect(field.length).toBe(8);
      return Number(field.readBigInt64BE(0));
    case 'bool':
      expect(field.length).toBe(1);
      return field[0] === 1;
    case 'timestamptz':
      expect(field.length).toBe(8);
      return new Date(pgEpochMs + Number(field.readBigInt64BE(0) / 1000n)); // whole ms: exact
  }
}

/** The rows of a whole binary COPY stream: header, tuples, trailer, nothing after it. */
function readCopy(types: readonly CopyType[], data: Buffer): unknown[][] {
  expect(data.subarray(0, 11)).toEqual(Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'));
  expect(data.readInt32BE(11)).toBe(0); // flags: no OIDs
  let at = 15 + 4 + data.readInt32BE(15); // past the header extension
  const rows: unknown[][] = [];
  for (;;) {
    const fields = data.readInt16BE(at);
    at += 2;
    if (fields === -1) break;
    expect(fields).toBe(types.length);
    const row: unknown[] = [];
    for (const type of types) {
      const length = data.readInt32BE(at);
      at += 4;
      if (length === -1) {
        row.push(null);
        continue;
      }
      row.push(readValue(type, data.subarray(at, at + length)));
      at += length;
    }
    rows.push(row);
  }
  expect(at).toBe(data.length);
  return rows;
}

/** A one-column table of `type` holding each value in a row of its own. */
function column(type: CopyType): CopyTableSpec<{ v: unknown }> {
  return { table: 't', columns: [{ name: 'v', type, value: (r) => r.v }], key: ['v'], rowKey: () => '' };
}

const roundTrip = (type: CopyType, values: readonly unknown[]): unknown[] =>
  readCopy(
    [type],
    Buffer.concat([
      ...copyChunks(
        column(type),
        values.map((v) => ({ v })),
      ),
    ]),
  ).map((r) => r[0]);

interface Row {
  id: string;
  odds: number | null;
  open: boolean;
  at: Date;
}

const spec: CopyTableSpec<Row> = {
  table: 'rows',
  columns: [
    { name: 'id', type: 'text', value: (r) => r.id },
    { name: 'odds', type: 'float8', value: (r) => r.odds },
    { name: 'open', type: 'bool', value: (r) => r.open },
    { name: 'at', type: 'timestamptz', value: (r) => r.at },
  ],
  key: ['id'],
  rowKey: (r) => r.id,
};

describe('COPY binary', () => {
  it('writes any string, and any JSON text, so that the server reads it back unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' })), (strings) => {
        expect(roundTrip('text', strings)).toEqual(strings);
        expect(roundTrip('jsonb', strings)).toEqual(strings);
      }),
    );
  });

  it('writes doubles bit for bit, NaN, infinities and -0 included', () => {
    fc.assert(
      fc.property(fc.array(fc.double()), (doubles) => {
        expect(roundTrip('float8', doubles)).toEqual(doubles);
      }),
    );
    expect(roundTrip('float8', [0.1 + 0.2, -0, Number.NaN])).toEqual([0.30000000000000004, -0, Number.NaN]);
  });

  it('writes integers to the ends of their types, and booleans', () => {
    expect(roundTrip('int4', [0, -1, 2 ** 31 - 1, -(2 ** 31)])).toEqual([0, -1, 2 ** 31 - 1, -(2 ** 31)]);
    fc.assert(
      fc.property(fc.array(fc.maxSafeInteger()), (ints) => {
        expect(roundTrip('int8', ints)).toEqual(ints);
      }),
    );
    expect(roundTrip('bool', [true, false])).toEqual([true, false]);
  });

  it('writes every instant a Date holds to the millisecond, before PostgreSQL’s epoch too', () => {
    fc.assert(
      fc.property(fc.array(fc.date({ noInvalidDate: true })), (dates) => {
        expect(roundTrip('timestamptz', dates)).toEqual(dates);
      }),
    );
  });

  it('writes null as a field of length -1, in any type', () => {
    for (const type of ['text', 'jsonb', 'float8', 'int4', 'int8', 'bool', 'timestamptz'] as const)
      expect(roundTrip(type, [null, undefined])).toEqual([null, null]);
  });

  it('refuses a value its column cannot carry as the server would store it, so that the batch goes the INSERT way', () => {
    const refused: [CopyType, unknown][] = [
      ['int4', 2.5],
      ['int4', 2 ** 31],
      ['int8', 2 ** 53],
      ['int8', '7'],
      ['float8', '1.5'],
      ['text', ['a']],
      ['jsonb', { a: 1 }],
      ['bool', 1],
      ['timestamptz', new Date(Number.NaN)],
      ['timestamptz', Date.UTC(2026, 0, 1)],
    ];
    for (const [type, value] of refused) {
      expect(() => [...copyChunks(column(type), [{ v: value }])]).toThrow(NoCopyValue);
      expect(() => [...copyChunks(column(type), [{ v: value }])]).toThrow(`column v: no ${type} for`);
    }
  });

  it('writes every row once, in order, in chunks that split the stream anywhere', () => {
    const rows: Row[] = Array.from({ length: 6_000 }, (_, i) => ({
      id: `row\t${i}`,
      odds: i % 3 === 0 ? null : i / 7,
      open: i % 2 === 0,
      at: new Date(Date.UTC(2026, 0, 1) + i * 1_000),
    }));
    const chunks = [...copyChunks(spec, rows)];
    expect(chunks.length).toBeGreaterThan(1);
    expect(
      readCopy(
        spec.columns.map((c) => c.type),
        Buffer.concat(chunks),
      ),
    ).toEqual(rows.map((r) => [r.id, r.odds, r.open, r.at]));
  });

  it('grows a chunk for a value longer than a chunk', () => {
    const long = 'é'.repeat(200_000);
    expect(roundTrip('text', ['a', long, 'b'])).toEqual(['a', long, 'b']);
  });

  it('names the table, its columns and the binary format in the statement', () => {
    expect(copyStatement('odds', spec)).toBe(
      'COPY "odds"."rows" (id, odds, open, at) FROM STDIN WITH (FORMAT binary)',
    );
  });
});
