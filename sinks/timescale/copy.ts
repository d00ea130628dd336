import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { qualified } from '../migrations/sql.js';
import type { Column, TableSpec } from './upsert.js';

/**
 * The PostgreSQL types the time-series tables store, as COPY's binary format writes them
 * (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4): each type's `send`
 * representation, big-endian.
 */
export type CopyType = 'timestamptz' | 'text' | 'float8' | 'int4' | 'int8' | 'bool' | 'jsonb';

export interface CopyColumn<R> extends Column<R> {
  type: CopyType;
}

/** A table that is appended by COPY: every column says its type. */
export interface CopyTableSpec<R> extends TableSpec<R> {
  columns: readonly CopyColumn<R>[];
}

/**
 * A value the column's binary form cannot carry as the server would store it from text (a
 * fraction for an integer, an array, an invalid date). The sink then takes the upserts, where
 * the server judges the value as it always did.
 */
export class NoCopyValue extends Error {
  constructor(column: string, type: CopyType, value: unknown) {
    const what =
      value instanceof Date
        ? 'invalid date'
        : Array.isArray(value)
          ? 'array'
          : `${typeof value} ${String(value)}`;
    super(`column ${column}: no ${type} for ${what}`);
    this.name = 'NoCopyValue';
  }
}

/** `PGCOPY\n\377\r\n\0`, then no flags and no header extension. */
const header = Buffer.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);

/** PostgreSQL's epoch (2000-01-01T00:00:00Z) in Unix milliseconds: timestamps count µs from it. */
const pgEpochMs = 946_684_800_000;
const twoTo32 = 4_294_967_296;

/** One CopyData message is sent when a chunk passes this size; a chunk grows only for a long value. */
const chunkBytes = 64 * 1024;

/** What a batch's buffer starts at per row (the widest rows, market_pricing's, take about 550). */
const bytesPerRowGuess = 640;

/**
 * Writes rows in COPY's binary format into buffers of about `chunkBytes`. Binary rather than
 * text: numbers and times go out as their bytes, so neither side prints or parses them (COPY text
 * was 14-20 % of the sinks' CPU; PostgreSQL takes the binary rows for about 10 % less).
 */
class BinaryWriter {
  buf: Buffer;
  pos = 0;

  /** A buffer for `rows` rows: a few rows in small batches (the latency path) take little memory. */
  constructor(rows: number) {
    this.buf = Buffer.allocUnsafe(Math.min(2 * chunkBytes, header.length + 2 + rows * bytesPerRowGuess));
  }

  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** The bytes written so far, and a fresh buffer for the rows that follow (the stream keeps the old). */
  take(): Buffer {
    const taken = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(2 * chunkBytes);
    this.pos = 0;
    return taken;
  }

  /** The bytes written since the last take, and nothing more to write. */
  end(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  int16(n: number): void {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(n, this.pos);
  }

  /** A 64-bit integer field, `high` × 2³² + `low` (low in [0, 2³²)): no BigInt per value. */
  int64(high: number, low: number): void {
    this.ensure(12);
    this.pos = this.buf.writeInt32BE(8, this.pos);
    this.pos = this.buf.writeInt32BE(high, this.pos);
    this.pos = this.buf.writeUInt32BE(low, this.pos);
  }

  /** A safe JS integer as a 64-bit integer field. */
  safeInteger(n: number): void {
    const high = Math.floor(n / twoTo32);
    this.int64(high, n - high * twoTo32);
  }

  /**
   * Milliseconds from PostgreSQL's epoch as its microseconds, exactly: ms × 1000 passes 2⁵³
   * beyond the years 1715-2285, so the halves are multiplied apart and the carry moved up.
   */
  micros(ms: number): void {
    const high = Math.floor(ms / twoTo32);
    const low = (ms - high * twoTo32) * 1000;
    const carry = Math.floor(low / twoTo32);
    this.int64(high * 1000 + carry, low - carry * twoTo32);
  }

  /** A string field in UTF-8 after `prefix` (jsonb's version byte), its length written first. */
  string(s: string, prefix: number | null): void {
    const extra = prefix === null ? 0 : 1;
    // At most three bytes per UTF-16 unit.
    this.ensure(4 + extra + s.length * 3);
    const start = this.pos;
    let at = start + 4;
    if (prefix !== null) this.buf[at++] = prefix;
    const written = this.buf.write(s, at, 'utf8');
    this.buf.writeInt32BE(written + extra, start);
    this.pos = at + written;
  }

  value(column: CopyColumn<unknown>, value: unknown): void {
    if (value === null || value === undefined) {
      this.ensure(4);
      this.pos = this.buf.writeInt32BE(-1, this.pos);
      return;
    }
    const { type } = column;
    switch (type) {
      case 'text':
        if (typeof value !== 'string') break;
        return this.string(value, null);
      case 'jsonb':
        // The columns' accessors give the JSON text (tables.ts); binary jsonb is version 1 and it.
        if (typeof value !== 'string') break;
        return this.string(value, 1);
      case 'float8':
        if (typeof value !== 'number') break;
        this.ensure(12);
        this.pos = this.buf.writeInt32BE(8, this.pos);
        this.pos = this.buf.writeDoubleBE(value, this.pos);
        return;
      case 'int4':
        if (!Number.isInteger(value) || (value as number) < -0x80000000 || (value as number) > 0x7fffffff)
          break;
        this.ensure(8);
        this.pos = this.buf.writeInt32BE(4, this.pos);
        this.pos = this.buf.writeInt32BE(value as number, this.pos);
        return;
      case 'int8':
        if (!Number.isSafeInteger(value)) break;
        return this.safeInteger(value as number);
      case 'bool':
        if (typeof value !== 'boolean') break;
        this.ensure(5);
        this.pos = this.buf.writeInt32BE(1, this.pos);
        this.buf[this.pos++] = value ? 1 : 0;
        return;
      case 'timestamptz': {
        const ms = value instanceof Date ? value.getTime() : Number.NaN;
        if (Number.isNaN(ms)) break;
        return this.micros(ms - pgEpochMs);
      }
    }
    throw new NoCopyValue(column.name, type, value);
  }
}

/**
 * The rows in COPY's binary format, in chunks of about 64 KiB, made as the COPY asks for them:
 * the next chunk is written while the server takes in the last one. Throws NoCopyValue for a
 * value its column's type cannot carry.
 */
export function* copyChunks<R>(spec: CopyTableSpec<R>, rows: readonly R[]): Generator<Buffer> {
  const { columns } = spec;
  const out = new BinaryWriter(rows.length);
  out.pos += header.copy(out.buf, out.pos);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    out.int16(columns.length);
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c]!;
      out.value(column, column.value(row));
    }
    // A fresh buffer only when rows follow: the last chunk goes with the trailer.
    if (out.pos >= chunkBytes && r < rows.length - 1) yield out.take();
  }
  out.int16(-1);
  yield out.end();
}

/** `COPY table (columns) FROM STDIN` in the binary format: plain inserts, no conflict handling. */
export function copyStatement<R>(schema: string, spec: CopyTableSpec<R>): string {
  return `COPY ${qualified(schema, spec.table)} (${spec.columns.map((c) => c.name).join(', ')}) FROM STDIN WITH (FORMAT binary)`;
}

/** Streams the chunks into the table on the client's connection (inside its transaction). */
export async function copyInto(
  client: PoolClient,
  statement: string,
  chunks: Iterable<Buffer>,
): Promise<void> {
  await pipeline(Readable.from(chunks), client.query(copyFrom(statement)));
}
