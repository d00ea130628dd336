import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { configSchema } from '../../sinks/timescale/config.js';
import { createTimescaleSink } from '../../sinks/timescale/index.js';
import { probeDatabase } from '../../src/core/health/probes.js';
import { createMetrics } from '../../src/core/metrics.js';
import { timescaleServerEntry } from '../../stack/services.js';
import type { BenchEnv } from '../env.js';
import { progress } from '../progress.js';
import type { BenchResult } from '../report.js';
import { perSecond, summarize } from '../stats.js';
import {
  copyFiles,
  psqlCopy,
  rowCount,
  sinkWorkload,
  type SinkCopyOptions,
  type SinkWorkload,
} from './sink-copy.js';

type Rates = { fresh: number; replay: number | undefined; copy: number };

export interface SinkEmbeddedOptions extends Pick<SinkCopyOptions, 'changes' | 'batchRecords' | 'repeats'> {
  /** Also write the same batches again (a replay after a crash: COPY fails, the upserts write). */
  replay: boolean;
  /** Another embedded server to measure in the same run (e.g. one from an older commit). */
  compareUrl: string | undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The project's embedded TimescaleDB as the stack runs it: its own process, a fresh data directory. */
async function startEmbedded(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'oddsflow-bench-embedded-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [...timescaleServerEntry().args, '--port', String(port), '--data-dir', dataDir],
    { stdio: 'ignore' },
  );
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
    await rm(dataDir, { recursive: true, force: true });
  };
  for (const deadline = Date.now() + 60_000; ;) {
    try {
      await probeDatabase(url, 1_000);
      return { url, stop };
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null) {
        await stop();
        throw new Error(`the embedded TimescaleDB did not start: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * New rows, then the same batches again (a replay after a crash), through the Timescale sink;
 * then the same rows by psql's COPY into the same tables, emptied.
 */
async function measure(
  env: BenchEnv,
  url: string,
  workload: SinkWorkload,
  label: string,
  files: Awaited<ReturnType<typeof copyFiles>>,
  replay: boolean,
): Promise<Rates> {
  // A lost reply (the stall of the wire server before issue 12) fails the run instead of hanging it.
  const pool = new pg.Pool({ connectionString: url, max: 2, query_timeout: 120_000 });
  try {
    const sink = createTimescaleSink(
      configSchema.parse({ schema: env.schema, timescale: 'auto', retention: null, compressAfter: null }),
      { pool, logger: env.logger, metrics: createMetrics(), clock: { now: () => Date.now() } },
    );
    await sink.start();
    const rates: number[] = [];
    for (const pass of replay ? ['new rows', 'replayed rows'] : ['new rows']) {
      const began = performance.now();
      for (const batch of workload.batches) await sink.writeBatch(batch);
      rates.push(perSecond(workload.rows, performance.now() - began));
      progress('sink_embedded', `${label}, ${pass}: ${Math.round(rates.at(-1)!)} rows/s`);
    }
    const written = await rowCount(pool, env.schema);
    if (written !== workload.rows) throw new Error(`${label}: ${written} rows, expected ${workload.rows}`);
    const copy = await psqlCopy(env, url, pool, files, workload.rows);
    await pool.query(`DROP SCHEMA ${env.schema} CASCADE`);
    return { fresh: rates[0]!, replay: rates[1], copy };
  } finally {
    await pool.end();
  }
}

/**
 * The Timescale sink's write rate on the embedded TimescaleDB (PGlite behind the stack's wire
 * server, in its own process), hypertables on: the default path's figure beside sink_timescale's
 * PostgreSQL 15. With `compareUrl`, another embedded server (an older wire server) in the same run,
 * measured turn about with this one. Each run writes into a schema of its own, dropped after.
 */
export async function benchSinkEmbedded(env: BenchEnv, options: SinkEmbeddedOptions): Promise<BenchResult[]> {
  const workload = await sinkWorkload(env, options);
  progress(
    'sink_embedded',
    `${workload.rows} rows in ${workload.batches.length} batches of ≤ ${options.batchRecords}`,
  );
  const embedded = await startEmbedded();
  const dir = await mkdtemp(path.join(tmpdir(), 'oddsflow-bench-embedded-copy-'));
  try {
    const files = await copyFiles(dir, workload);
    const servers = [
      { name: 'sink_embedded', url: embedded.url, label: 'this embedded server', runs: [] as Rates[] },
      ...(options.compareUrl
        ? [
            {
              name: 'sink_embedded_compared',
              url: options.compareUrl,
              label: 'compared server',
              runs: [] as Rates[],
            },
          ]
        : []),
    ];
    // Alternating, so that a change in the machine's load (2 shared cores) falls on both alike.
    for (let r = 0; r < options.repeats; r++)
      for (const server of servers)
        server.runs.push(await measure(env, server.url, workload, server.label, files, options.replay));
    return servers.flatMap(({ name, runs }) => [
      { name, value: Math.round(summarize(runs.map((x) => x.fresh)).p50), unit: 'rows/s' },
      ...(options.replay
        ? [
            {
              name: `${name}_replay`,
              value: Math.round(summarize(runs.map((x) => x.replay!)).p50),
              unit: 'rows/s',
            },
          ]
        : []),
      { name: `${name}_copy`, value: Math.round(summarize(runs.map((x) => x.copy)).p50), unit: 'rows/s' },
    ]);
  } finally {
    await embedded.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
