import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyChunks, copyStatement, copyTextValue, NoCopyText } from '../../../../sinks/timescale/copy.js';
import type { TableSpec } from '../../../../sinks/timescale/upsert.js';

/** COPY's text format read back as the server reads it (sql-copy.html, "Text Format"). */
function readField(field: string): string | null {
  if (field === '\\N') return null;
  return field.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

const readLines = (text: string): (string | null)[][] =>
  text
    .split('\n')
    .slice(0, -1)
    .map((line) => line.split('\t').map(readField));

interface Row {
  id: string;
  odds: number | null;
  open: boolean;
  at: Date;
}

const spec: TableSpec<Row> = {
  table: 'rows',
  columns: [
    { name: 'id', value: (r) => r.id },
    { name: 'odds', value: (r) => r.odds },
    { name: 'open', value: (r) => r.open },
    { name: 'at', value: (r) => r.at },
  ],
  key: ['id'],
  rowKey: (r) => r.id,
};

describe('COPY text', () => {
  it('writes any string so that the server reads it back unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const text = copyTextValue('c', s);
        expect(text).not.toMatch(/[\t\n\r]/);
        expect(readField(text)).toBe(s);
      }),
    );
  });

  it('writes null as \\N and a string "\\N" so that it stays a string', () => {
    expect(copyTextValue('c', null)).toBe('\\N');
    expect(readField(copyTextValue('c', '\\N'))).toBe('\\N');
  });

  it('writes numbers, booleans and dates as node-postgres binds them', () => {
    expect(copyTextValue('c', 2.5)).toBe('2.5');
    expect(copyTextValue('c', 0.1 + 0.2)).toBe('0.30000000000000004');
    expect(copyTextValue('c', true)).toBe('t');
    expect(copyTextValue('c', false)).toBe('f');
    expect(copyTextValue('c', new Date(Date.UTC(2026, 2, 1, 12, 0, 0, 123)))).toBe(
      '2026-03-01T12:00:00.123Z',
    );
    expect(copyTextValue('c', new Date(Date.UTC(2026, 2, 1, 12, 0, 1)))).toBe('2026-03-01T12:00:01.000Z');
  });

  it('refuses what it has no text for, so that the batch goes the INSERT way', () => {
    expect(() => copyTextValue('c', ['a'])).toThrow(NoCopyText);
    expect(() => copyTextValue('c', { a: 1 })).toThrow(NoCopyText);
    expect(() => copyTextValue('c', new Date(Number.NaN))).toThrow(NoCopyText);
  });

  it('writes every row once, in order, in chunks of whole lines', () => {
    const rows: Row[] = Array.from({ length: 600 }, (_, i) => ({
      id: `row\t${i}`,
      odds: i % 3 === 0 ? null : i / 7,
      open: i % 2 === 0,
      at: new Date(Date.UTC(2026, 0, 1) + i * 1_000),
    }));
    const chunks = [...copyChunks(spec, rows)];
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.endsWith('\n')).toBe(true);
    expect(readLines(chunks.join(''))).toEqual(
      rows.map((r) => [
        r.id,
        r.odds === null ? null : String(r.odds),
        r.open ? 't' : 'f',
        r.at.toISOString(),
      ]),
    );
  });

  it('names the table and its columns in the statement', () => {
    expect(copyStatement('odds', spec)).toBe('COPY "odds"."rows" (id, odds, open, at) FROM STDIN');
  });
});
