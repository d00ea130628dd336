/**
 * One-off measurement behind the choice of multi-row INSERT … ON CONFLICT for the TimescaleDB
 * sink (docs/queries.md, "Write path"). Not a test: run it by hand against one database,
 *   npx tsx test/integration/sinks/upsert-bench.ts <postgres url> [--copy]
 * It writes a 1,000-row odds_snapshots batch per strategy into a random schema (dropped after):
 * multi-row VALUES, unnest of arrays, and with --copy COPY into a temp table then upsert. COPY is
 * opt-in because COPY FROM STDIN crashes the embedded PGlite server (a WASM "unreachable").
 */
import { randomBytes } from 'node:crypto';
import pg, { escapeIdentifier } from 'pg';
import type { PoolClient, Submittable } from 'pg';
import { migrate } from '../../../sinks/migrations/index.js';
import { qualified } from '../../../sinks/migrations/sql.js';
import type { SnapshotRow } from '../../../sinks/timescale/rows.js';
import { snapshotsTable } from '../../../sinks/timescale/tables.js';
import { upsertStatements, upsertText, type StatementLimits } from '../../../sinks/timescale/upsert.js';
import { createLogger } from '../../../src/core/logger.js';

const rowsPerBatch = 1_000;
const types = [
  'timestamptz',
  'text',
  'text',
  'text',
  'text',
  'text',
  'float8',
  'float8',
  'float8',
  'float8',
  'text',
  'bool',
  'text',
  'timestamptz',
  'text',
  'text',
  'text',
  'text',
  'float8',
  'float8',
  'float8',
  'float8',
  'jsonb',
  'float8',
  'float8',
];

function batch(startMs: number): SnapshotRow[] {
  return Array.from({ length: rowsPerBatch }, (_, i) => ({
    time: new Date(startMs + Math.floor(i / 10) * 1000),
    eventId: `ev-${i % 7}`,
    marketId: 'WIN',
    bookmaker: `book-${Math.floor(i / 10) % 5}`,
    selectionId: `sel-${i % 10}`,
    side: 'back',
    odds: 1.5 + (i % 40) / 10,
    size: i % 3 === 0 ? null : 10 * i,
    point: null,
    impliedProbability: 1 / (1.5 + (i % 40) / 10),
    selectionStatus: 'ACTIVE',
    inPlay: false,
    provider: 'bench',
    receivedAt: new Date(startMs + 5),
    marketStatus: 'OPEN',
    sourceEventId: '1',
    sourceMarketId: '1.1',
    sourceSelectionId: String(i % 10),
    handicap: 0,
    lastTradedPrice: null,
    tradedVolume: null,
    totalMatched: null,
    depth: null,
    bspNear: null,
    bspFar: null,
  }));
}

/** The VALUES statement's ON CONFLICT tail, reused so every strategy upserts the same way. */
const conflictTail = (schema: string): string => {
  const text = upsertText(schema, snapshotsTable, 1);
  return text.slice(text.indexOf(' ON CONFLICT'));
};

const columnNames = snapshotsTable.columns.map((c) => c.name).join(', ');

/** 1,000 rows per statement. */
const limits: StatementLimits = { rowsPerStatement: 1_000, maxStatementBytes: null };

async function viaValues(client: PoolClient, schema: string, rows: SnapshotRow[]): Promise<void> {
  for (const s of upsertStatements(schema, snapshotsTable, rows, limits))
    await client.query(s.text, s.values);
}

/** unnest has far less SQL text than VALUES, so the VALUES chunks are small enough for it too. */
async function viaUnnest(client: PoolClient, schema: string, rows: SnapshotRow[]): Promise<void> {
  const params = types.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
  const text = `INSERT INTO ${qualified(schema, 'odds_snapshots')} AS t (${columnNames}) SELECT * FROM unnest(${params})${conflictTail(schema)}`;
  let from = 0;
  for (const statement of upsertStatements(schema, snapshotsTable, rows, limits)) {
    const count = (statement.values?.length ?? 0) / snapshotsTable.columns.length;
    const chunk = rows.slice(from, (from += count));
    await client.query(
      text,
      snapshotsTable.columns.map((c) => chunk.map((r) => c.value(r))),
    );
  }
}

/** COPY FROM STDIN through pg's Submittable hook (what pg-copy-streams does), text format. */
class CopyIn implements Submittable {
  private resolve!: () => void;
  private reject!: (err: Error) => void;
  private error: Error | undefined;
  readonly done = new Promise<void>((res, rej) => ((this.resolve = res), (this.reject = rej)));
  constructor(
    private readonly text: string,
    private readonly data: string,
  ) {}
  submit(connection: pg.Connection): void {
    connection.query(this.text);
  }
  handleCopyInResponse(
    connection: pg.Connection & { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void },
  ): void {
    connection.sendCopyFromChunk(Buffer.from(this.data));
    connection.endCopyFrom();
  }
  handleError(err: Error): void {
    this.error = err;
  }
  handleReadyForQuery(): void {
    if (this.error) this.reject(this.error);
    else this.resolve();
  }
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

const copyEscapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** COPY's text format: \N for null, backslash escapes for the delimiters. */
function copyField(v: unknown): string {
  if (v === null) return '\\N';
  if (v instanceof Date) return v.toISOString();
  return (typeof v === 'string' ? v : JSON.stringify(v)).replace(/[\\\t\n\r]/g, (c) => copyEscapes[c] ?? c);
}

async function viaCopy(client: PoolClient, schema: string, rows: SnapshotRow[]): Promise<void> {
  await client.query(`CREATE TEMP TABLE stage (LIKE ${qualified(schema, 'odds_snapshots')}) ON COMMIT DROP`);
  const data =
    rows.map((r) => snapshotsTable.columns.map((c) => copyField(c.value(r))).join('\t')).join('\n') + '\n';
  const copy = new CopyIn(`COPY stage (${columnNames}) FROM STDIN`, data);
  void client.query(copy);
  await copy.done;
  await client.query(
    `INSERT INTO ${qualified(schema, 'odds_snapshots')} AS t (${columnNames}) SELECT ${columnNames} FROM stage${conflictTail(schema)}`,
  );
}

async function timed(client: PoolClient, write: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await client.query('BEGIN');
  await write();
  await client.query('COMMIT');
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const [url, flag] = process.argv.slice(2);
if (!url) throw new Error('usage: upsert-bench.ts <postgres url> [--copy]');
const pool = new pg.Pool({ connectionString: url, max: 1 });
pool.on('error', () => undefined);
const schema = `bench_${randomBytes(4).toString('hex')}`;
const { mode } = await migrate(pool, {
  schema,
  timescale: 'auto',
  compressAfter: null,
  retention: null,
  logger: createLogger({ level: 'silent' }),
});
const client = await pool.connect();
try {
  console.log(
    `${url.replace(/\/\/.*@/, '//')} (${mode}), ${rowsPerBatch} rows per batch, statement cap ${limits.maxStatementBytes ?? 'none'} bytes, one run each`,
  );
  const strategies = {
    values: viaValues,
    unnest: viaUnnest,
    ...(flag === '--copy' ? { copy: viaCopy } : {}),
  };
  let start = Date.UTC(2026, 0, 1);
  await timed(client, () => viaValues(client, schema, batch((start -= 3_600_000)))); // warm-up, not reported
  for (const [name, write] of Object.entries(strategies)) {
    const rows = batch((start += 3_600_000));
    const fresh = await timed(client, () => write(client, schema, rows));
    const replay = await timed(client, () => write(client, schema, rows));
    console.log(
      `${name.padEnd(7)} new rows: ${Math.round(rowsPerBatch / fresh)} rows/s   replay: ${Math.round(rowsPerBatch / replay)} rows/s`,
    );
  }
  const { rows } = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${qualified(schema, 'odds_snapshots')}`,
  );
  console.log(
    `rows in table: ${rows[0]?.n} (expected ${rowsPerBatch * (Object.keys(strategies).length + 1)})`,
  );
} finally {
  await client.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(schema)} CASCADE`);
  client.release();
  await pool.end();
}
