import { createHash } from 'node:crypto';
import type { Statement } from '../migrations/versions.js';
import { qualified } from '../migrations/sql.js';

export interface Column<R> {
  name: string;
  value(row: R): unknown;
  /** The SET expression on conflict (stored row `t`, new row EXCLUDED); default `EXCLUDED.<name>`. */
  onConflict?: string;
}

export interface TableSpec<R> {
  table: string;
  columns: readonly Column<R>[];
  /** The primary key: the natural key of a row. */
  key: readonly string[];
  /** The in-batch identity of a row, equal exactly when `key` is. */
  rowKey(row: R): string;
  /** Which of two rows with one key a batch keeps; default: the later (Kafka order). */
  merge?(earlier: R, later: R): R;
  /** Besides a real change, what an update needs (e.g. not older than the stored row). */
  updateWhen?: string;
}

/** PostgreSQL's limit on bind parameters in one statement (a 16-bit count in the protocol). */
export const maxBindParameters = 65_535;

/** Rows with one key collapse into one: a statement may not update a row twice. */
export function dedupe<R>(spec: TableSpec<R>, rows: readonly R[]): R[] {
  const byKey = new Map<string, R>();
  for (const row of rows) {
    const key = spec.rowKey(row);
    const earlier = byKey.get(key);
    byKey.set(key, earlier === undefined ? row : spec.merge ? spec.merge(earlier, row) : row);
  }
  return [...byKey.values()];
}

/**
 * `INSERT … VALUES (…),(…) ON CONFLICT (key) DO UPDATE … WHERE changed`: a replay finds every
 * row present and unchanged, so it neither adds a row nor rewrites one (no dead tuples, no
 * decompression of columnstore chunks for nothing).
 */
export function upsertText<R>(schema: string, spec: TableSpec<R>, rowCount: number): string {
  const names = spec.columns.map((c) => c.name);
  const width = names.length;
  const tuples: string[] = [];
  for (let r = 0; r < rowCount; r++) {
    tuples.push(`(${names.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
  }
  const updated = spec.columns.filter((c) => !spec.key.includes(c.name));
  const newValue = (c: Column<R>): string => c.onConflict ?? `EXCLUDED.${c.name}`;
  const changed = `(${updated.map((c) => `t.${c.name}`).join(', ')}) IS DISTINCT FROM (${updated.map(newValue).join(', ')})`;
  return (
    `INSERT INTO ${qualified(schema, spec.table)} AS t (${names.join(', ')}) VALUES ${tuples.join(', ')} ` +
    `ON CONFLICT (${spec.key.join(', ')}) DO UPDATE SET ${updated.map((c) => `${c.name} = ${newValue(c)}`).join(', ')} ` +
    `WHERE ${spec.updateWhen ? `${spec.updateWhen} AND ` : ''}${changed}`
  );
}

/** Texts and names of full-size statements, by table spec, then schema and row count. */
const fullSizeStatements = new WeakMap<object, Map<string, { text: string; name: string }>>();

/**
 * The statement of a full chunk, built once and named, so that every later full chunk of a
 * table is a prepared statement: PostgreSQL then skips parsing and planning a thousand-row
 * VALUES list, which took about a third of each write on PostgreSQL 15 (bench/README.md). Only
 * full chunks are named, so a connection holds at most one such statement per table and size.
 */
function fullSizeStatement<R>(
  schema: string,
  spec: TableSpec<R>,
  rowCount: number,
): { text: string; name: string } {
  let bySize = fullSizeStatements.get(spec);
  if (bySize === undefined)
    fullSizeStatements.set(spec, (bySize = new Map<string, { text: string; name: string }>()));
  const key = `${schema}\u0000${rowCount}`;
  let statement = bySize.get(key);
  if (statement === undefined) {
    const text = upsertText(schema, spec, rowCount);
    const digest = createHash('sha1').update(text).digest('hex').slice(0, 16);
    statement = { text, name: `oddsflow_${spec.table}_${rowCount}_${digest}` };
    bySize.set(key, statement);
  }
  return statement;
}

export interface StatementLimits {
  rowsPerStatement: number;
  /** Cap on a statement's size on the wire (text and values); null: none. */
  maxStatementBytes: number | null;
}

/** About what a bind value takes on the wire: its text form plus the 4-byte length. */
function wireBytes(value: unknown): number {
  if (value === null || value === undefined) return 4;
  if (typeof value === 'string') return 4 + Buffer.byteLength(value);
  if (value instanceof Date) return 4 + 32;
  if (Array.isArray(value)) return 4 + value.reduce((n: number, v) => n + wireBytes(v), 2);
  return 4 + 24;
}

/** The statements writing `rows`, each within the bind-parameter limit and `limits`. */
export function upsertStatements<R>(
  schema: string,
  spec: TableSpec<R>,
  rows: readonly R[],
  limits: StatementLimits,
): Statement[] {
  const width = spec.columns.length;
  const perStatement = Math.max(1, Math.min(limits.rowsPerStatement, Math.floor(maxBindParameters / width)));
  const maxBytes = limits.maxStatementBytes ?? Infinity;
  const fixedBytes = upsertText(schema, spec, 0).length;
  // "($1001, $1002, …), " per row: a generous bound on the placeholders' text.
  const placeholderBytes = width * 9 + 4;
  const statements: Statement[] = [];
  let chunk: R[] = [];
  let values: unknown[] = [];
  let bytes = fixedBytes;
  const flush = (): void => {
    if (chunk.length === 0) return;
    statements.push(
      chunk.length === perStatement
        ? { ...fullSizeStatement(schema, spec, chunk.length), values }
        : { text: upsertText(schema, spec, chunk.length), values },
    );
    chunk = [];
    values = [];
    bytes = fixedBytes;
  };
  for (const row of dedupe(spec, rows)) {
    const rowValues = spec.columns.map((c) => c.value(row));
    const rowBytes = placeholderBytes + rowValues.reduce((n: number, v) => n + wireBytes(v), 0);
    if (chunk.length === perStatement || (chunk.length > 0 && bytes + rowBytes > maxBytes)) flush();
    chunk.push(row);
    values.push(...rowValues);
    bytes += rowBytes;
  }
  flush();
  return statements;
}
