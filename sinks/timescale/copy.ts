import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { qualified } from '../migrations/sql.js';
import type { TableSpec } from './upsert.js';

/** A value COPY's text format cannot carry as node-postgres would bind it (an array, an object). */
export class NoCopyText extends Error {
  constructor(column: string, value: unknown) {
    super(`column ${column}: no COPY text for a ${Array.isArray(value) ? 'array' : typeof value}`);
    this.name = 'NoCopyText';
  }
}

const needsEscape = /[\\\n\r\t]/;
const escapes: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * The last date written in each column and its text: the rows of one record share their times,
 * and `toISOString` is the dearest value to write. Per column, because two date columns of a row
 * (a snapshot's event and receipt times) would otherwise evict each other on every row.
 */
const lastDates = new Map<string, { ms: number; text: string }>();

/**
 * A value in COPY's text format, the same text node-postgres binds for it (numbers as
 * `String(n)`, booleans `t`/`f`, dates as their instant), so a row copied equals the row an
 * INSERT of the same values stores. https://www.postgresql.org/docs/current/sql-copy.html
 */
export function copyTextValue(column: string, value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  switch (typeof value) {
    case 'string':
      return needsEscape.test(value) ? value.replace(/[\\\n\r\t]/g, (c) => escapes[c]!) : value;
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
    default: {
      // An invalid Date has no instant; the INSERT path lets the server refuse it as data.
      const ms = value instanceof Date ? value.getTime() : Number.NaN;
      if (Number.isNaN(ms)) throw new NoCopyText(column, value);
      let last = lastDates.get(column);
      if (last === undefined) lastDates.set(column, (last = { ms: Number.NaN, text: '' }));
      if (last.ms !== ms) {
        last.ms = ms;
        last.text = (value as Date).toISOString();
      }
      return last.text;
    }
  }
}

/** COPY data in chunks of about this many rows: one CopyData message each. */
const chunkRows = 256;

/**
 * The rows as COPY text lines, in chunks, made as the COPY asks for them: the next chunk is
 * written while the server takes in the last one. Throws NoCopyText for a value it cannot carry.
 * Each line and chunk is joined once from its parts: adding value by value to a string cost more
 * than writing the values.
 */
export function* copyChunks<R>(spec: TableSpec<R>, rows: readonly R[]): Generator<string> {
  const { columns } = spec;
  const values: string[] = new Array<string>(columns.length);
  let lines: string[] = [];
  for (const row of rows) {
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c]!;
      values[c] = copyTextValue(column.name, column.value(row));
    }
    lines.push(values.join('\t'));
    if (lines.length === chunkRows) {
      yield `${lines.join('\n')}\n`;
      lines = [];
    }
  }
  if (lines.length > 0) yield `${lines.join('\n')}\n`;
}

/** `COPY table (columns) FROM STDIN`: plain inserts, no conflict handling. */
export function copyStatement<R>(schema: string, spec: TableSpec<R>): string {
  return `COPY ${qualified(schema, spec.table)} (${spec.columns.map((c) => c.name).join(', ')}) FROM STDIN`;
}

/** Streams the chunks into the table on the client's connection (inside its transaction). */
export async function copyInto(
  client: PoolClient,
  statement: string,
  chunks: Iterable<string>,
): Promise<void> {
  await pipeline(Readable.from(chunks), client.query(copyFrom(statement)));
}
