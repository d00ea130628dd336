import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { migrate } from '../../sinks/migrations/index.js';
import { qualified } from '../../sinks/migrations/sql.js';
import { eventFromBook, snapshotRows } from '../../sinks/timescale/rows.js';
import { eventsTable, snapshotsTable } from '../../sinks/timescale/tables.js';
import { dedupe } from '../../sinks/timescale/upsert.js';
import { runBacktest } from '../../src/app/backtest/engine.js';
import { historyFromTimescale } from '../../src/app/backtest/timescale-source.js';
import { defaultFreshness } from '../../src/app/strategy/market-board.js';
import type { Strategy } from '../../src/app/strategy/strategy.js';
import { runChain } from '../chain.js';
import { recordsOf, simulatedStream } from '../betfair-input.js';
import { csvLine } from '../csv.js';
import type { BenchEnv } from '../env.js';
import { progress } from '../progress.js';
import type { BenchResult } from '../report.js';
import { perSecond } from '../stats.js';

const run = promisify(execFile);

export interface BacktestBenchOptions {
  /** Simulated Betfair market changes whose books are stored (about 16 quotes each). */
  changes: number;
}

/** Looks at every record and never bets: the cost measured is reading and replaying. */
const watcher: Strategy = { name: 'watch', onPricing: () => [] };

/**
 * `oddsflow backtest` reading TimescaleDB: the processors' books of simulated Betfair changes are
 * loaded into odds_snapshots (psql \copy), then the backtest source reads them back in time order
 * and replays them through the engine (pricing and cross-book again, the board, a strategy that
 * looks at everything). Stored quotes (odds_snapshots rows) per second over the whole replay.
 */
export async function benchBacktest(env: BenchEnv, options: BacktestBenchOptions): Promise<BenchResult[]> {
  const scenario = 'backtest';
  const lines = simulatedStream({ changes: options.changes, startMs: Date.UTC(2026, 0, 1) });
  const chain = await runChain(env.config.settings, recordsOf(lines));
  const snapshots = dedupe(snapshotsTable, chain.books.flatMap(snapshotRows));
  const events = dedupe(eventsTable, chain.books.map(eventFromBook));
  const pool = new pg.Pool({ connectionString: env.databaseUrl, max: 2 });
  const dir = await mkdtemp(path.join(tmpdir(), 'oddsflow-bench-backtest-'));
  try {
    await migrate(pool, {
      schema: env.schema,
      timescale: 'auto',
      compressAfter: null,
      retention: null,
      logger: env.logger,
    });
    const write = async (spec: typeof snapshotsTable | typeof eventsTable, rows: readonly unknown[]) => {
      const file = path.join(dir, `${spec.table}.csv`);
      await writeFile(
        file,
        rows.map((row) => csvLine(spec.columns.map((c) => c.value(row as never)))).join(''),
      );
      const columns = spec.columns.map((c) => c.name).join(', ');
      await run('psql', [
        env.databaseUrl,
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `\\copy ${qualified(env.schema, spec.table)} (${columns}) FROM '${file}' WITH (FORMAT csv)`,
      ]);
    };
    await write(eventsTable, events);
    await write(snapshotsTable, snapshots);
    await pool.query(`ANALYZE ${qualified(env.schema, 'odds_snapshots')}`);
    progress(scenario, `${snapshots.length} quotes (${chain.books.length} books) stored; replaying`);
    const range = snapshots.reduce(
      (r, s) => ({ from: Math.min(r.from, s.time.getTime()), to: Math.max(r.to, s.time.getTime()) }),
      { from: Infinity, to: -Infinity },
    );
    const began = performance.now();
    const result = await runBacktest(
      historyFromTimescale(pool, env.schema, range, { method: env.config.settings.ODDSFLOW_MARGIN_METHOD }),
      watcher,
      {
        ...range,
        freshness: defaultFreshness,
        commission: { byBookmaker: {}, marketBaseRates: new Map() },
        maxStake: 1,
      },
    );
    const ms = performance.now() - began;
    // Books with no priced selection leave no row; every other one must come back.
    const stored = new Set(
      snapshots.map((r) => `${r.time.getTime()}|${r.eventId}|${r.marketId}|${r.bookmaker}|${r.side}`),
    ).size;
    if (result.quotes !== stored) throw new Error(`replayed ${result.quotes} books, stored ${stored}`);
    progress(scenario, `${snapshots.length} quotes in ${(ms / 1000).toFixed(1)} s`);
    return [
      { name: 'backtest', value: Math.round(perSecond(snapshots.length, ms)), unit: 'quotes/s' },
      { name: 'backtest_books', value: Math.round(perSecond(result.quotes, ms)), unit: 'books/s' },
    ];
  } finally {
    await pool.end();
    await rm(dir, { recursive: true, force: true });
  }
}
