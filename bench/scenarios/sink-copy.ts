import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { SinkRecord } from '../../sinks/contract.js';
import { pricingRows, snapshotRows } from '../../sinks/timescale/rows.js';
import { pricingTable, snapshotsTable } from '../../sinks/timescale/tables.js';
import { createTimescaleSink } from '../../sinks/timescale/index.js';
import { configSchema } from '../../sinks/timescale/config.js';
import { copyChunks, type CopyTableSpec } from '../../sinks/timescale/copy.js';
import { dedupe, type TableSpec } from '../../sinks/timescale/upsert.js';
import { qualified } from '../../sinks/migrations/sql.js';
import { recordKeys } from '../../src/core/kafka/records.js';
import { createMetrics } from '../../src/core/metrics.js';
import { runChain } from '../chain.js';
import { recordsOf, simulatedStream } from '../betfair-input.js';
import type { BenchEnv } from '../env.js';
import { progress } from '../progress.js';
import type { BenchResult } from '../report.js';
import { perSecond, summarize } from '../stats.js';

const run = promisify(execFile);

export interface SinkCopyOptions {
  /** Simulated market changes whose processed records are written. */
  changes: number;
  /** Records per writeBatch: the sinks role's ODDSFLOW_SINK_BATCH_RECORDS default. */
  batchRecords: number;
  /** Each side is timed this many times into emptied tables; the median counts. */
  repeats: number;
}

/**
 * Kafka-fetch-like batches: records of one topic at a time (one partition's fetch), at most
 * `size` each, the two topics alternating as the consumer's fetches do.
 */
function batchesOf(byTopic: SinkRecord[][], size: number): SinkRecord[][] {
  const queues = byTopic.map((records) => {
    const out: SinkRecord[][] = [];
    for (let i = 0; i < records.length; i += size) out.push(records.slice(i, i + size));
    return out;
  });
  const batches: SinkRecord[][] = [];
  for (let i = 0; queues.some((q) => i < q.length); i++)
    for (const q of queues) if (q[i]) batches.push(q[i]!);
  return batches;
}

function sinkRecords<T extends 'oddsNormalized' | 'oddsPricing'>(
  topic: T,
  values: readonly SinkRecord<T>['value'][],
): SinkRecord[] {
  return values.map(
    (value, i) =>
      ({
        topic,
        value,
        key: recordKeys.market(value),
        partition: 0,
        offset: String(i),
        timestamp: value.eventTime,
      }) as SinkRecord,
  );
}

async function copyFile<R>(dir: string, spec: CopyTableSpec<R>, rows: readonly R[]): Promise<string> {
  const file = path.join(dir, `${spec.table}.copy`);
  await writeFile(file, Buffer.concat([...copyChunks(spec, rows)]));
  return file;
}

/**
 * The workload's rows as files in COPY's binary format, one per table, for psql's `\copy`: the
 * format the sink writes, and the cheaper one for the server to take in.
 */
export async function copyFiles(
  dir: string,
  workload: Pick<SinkWorkload, 'snapshots' | 'pricing'>,
): Promise<{ spec: TableSpec<unknown>; file: string }[]> {
  return [
    { spec: snapshotsTable, file: await copyFile(dir, snapshotsTable, workload.snapshots) },
    { spec: pricingTable, file: await copyFile(dir, pricingTable, workload.pricing) },
  ];
}

/**
 * One psql `\copy … FROM file WITH (FORMAT binary)` of the files into the tables of `env.schema`
 * on `url`, emptied first through `db` (a connection to the same database), which then checks the
 * count: rows per second of the psql process's wall time (its start-up included, ~20 ms).
 */
export async function psqlCopy(
  env: BenchEnv,
  url: string,
  db: pg.Client | pg.Pool,
  files: readonly { spec: TableSpec<unknown>; file: string }[],
  rows: number,
): Promise<number> {
  const copyArgs = [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1'];
  for (const { spec, file } of files) {
    const columns = spec.columns.map((c) => c.name).join(', ');
    copyArgs.push(
      '-c',
      `\\copy ${qualified(env.schema, spec.table)} (${columns}) FROM '${file}' WITH (FORMAT binary)`,
    );
  }
  await truncate(db, env.schema);
  const began = performance.now();
  await run('psql', copyArgs);
  const ms = performance.now() - began;
  const written = await rowCount(db, env.schema);
  if (written !== rows) throw new Error(`COPY wrote ${written} rows, expected ${rows}`);
  const rate = perSecond(rows, ms);
  progress('copy_baseline', `psql \\copy into ${new URL(url).host}: ${Math.round(rate)} rows/s`);
  return rate;
}

export async function rowCount(client: pg.Client | pg.Pool, schema: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM ${qualified(schema, 'odds_snapshots')}) + (SELECT count(*) FROM ${qualified(schema, 'market_pricing')}) AS n`,
  );
  return Number(rows[0]?.n ?? 0);
}

const truncate = (client: pg.Client | pg.Pool, schema: string) =>
  client.query(
    `TRUNCATE ${['events', 'results', 'odds_snapshots', 'market_pricing'].map((t) => qualified(schema, t)).join(', ')}`,
  );

export interface SinkWorkload {
  batches: SinkRecord[][];
  snapshots: ReturnType<typeof snapshotRows>;
  pricing: ReturnType<typeof pricingRows>;
  rows: number;
  records: number;
}

/** The sink's input of a simulated stream, in Kafka-fetch-like batches, and the rows it makes. */
export async function sinkWorkload(
  env: BenchEnv,
  options: Pick<SinkCopyOptions, 'changes' | 'batchRecords'>,
): Promise<SinkWorkload> {
  const lines = simulatedStream({ changes: options.changes, startMs: Date.now() - 3_600_000 });
  const chain = await runChain(env.config.settings, recordsOf(lines));
  const byTopic = [sinkRecords('oddsNormalized', chain.books), sinkRecords('oddsPricing', chain.pricing)];
  const snapshots = dedupe(snapshotsTable, chain.books.flatMap(snapshotRows));
  const pricing = dedupe(pricingTable, chain.pricing.flatMap(pricingRows));
  return {
    batches: batchesOf(byTopic, options.batchRecords),
    snapshots,
    pricing,
    rows: snapshots.length + pricing.length,
    records: chain.books.length + chain.pricing.length,
  };
}

/**
 * Rows per second of the Timescale sink's writeBatch against a plain `COPY … FROM STDIN` (psql
 * `\copy` from a file in the binary format the sink writes) of the same rows into the same,
 * emptied tables, on PostgreSQL (the machine's 15 by default). sink_embedded does the same on
 * the embedded TimescaleDB's hypertables.
 */
export async function benchSinkVsCopy(env: BenchEnv, options: SinkCopyOptions): Promise<BenchResult[]> {
  const scenario = 'sink_timescale';
  const { batches, snapshots, pricing, rows, records } = await sinkWorkload(env, options);
  progress(
    scenario,
    `${records} books and pricing records (${rows} rows) in ${batches.length} batches of ≤ ${options.batchRecords}; PostgreSQL at ${new URL(env.databaseUrl).host}`,
  );

  const pool = new pg.Pool({ connectionString: env.databaseUrl, max: 2 });
  const client = new pg.Client({ connectionString: env.databaseUrl });
  await client.connect();
  const dir = await mkdtemp(path.join(tmpdir(), `oddsflow-bench-copy-`));
  try {
    const config = configSchema.parse({
      schema: env.schema,
      timescale: 'off',
      retention: null,
      compressAfter: null,
    });
    const sink = createTimescaleSink(config, {
      pool,
      logger: env.logger,
      metrics: createMetrics(),
      clock: { now: () => Date.now() },
    });
    await sink.start();

    const files = await copyFiles(dir, { snapshots, pricing });
    // Turn about, so that a change in the machine's load (2 shared cores) falls on both alike.
    const sinkRates: number[] = [];
    const copyRates: number[] = [];
    for (let r = 0; r < options.repeats; r++) {
      await truncate(client, env.schema);
      const began = performance.now();
      for (const batch of batches) await sink.writeBatch(batch);
      const ms = performance.now() - began;
      const written = await rowCount(client, env.schema);
      if (written !== rows) throw new Error(`sink wrote ${written} rows, expected ${rows}`);
      sinkRates.push(perSecond(rows, ms));
      progress(
        scenario,
        `writeBatch run ${r + 1}/${options.repeats}: ${Math.round(sinkRates.at(-1)!)} rows/s`,
      );
      copyRates.push(await psqlCopy(env, env.databaseUrl, client, files, rows));
    }
    await sink.stop();
    return [
      { name: 'sink_timescale', value: Math.round(summarize(sinkRates).p50), unit: 'rows/s' },
      { name: 'copy_baseline', value: Math.round(summarize(copyRates).p50), unit: 'rows/s' },
    ];
  } finally {
    await client.end();
    await pool.end();
    await rm(dir, { recursive: true, force: true });
  }
}
