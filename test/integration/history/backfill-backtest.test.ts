import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import pg, { escapeIdentifier } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/app/config/load.js';
import { packageRoot } from '../../../src/core/config/paths.js';
import { createKafka } from '../../../src/core/kafka/client.js';
import type { TopicNames } from '../../../src/core/kafka/topics.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { measureLag } from '../../../src/app/ops/lag.js';
import { createRoleContext, type RunningRole } from '../../../src/app/roles/context.js';
import { startProcessors } from '../../../src/app/roles/processors.js';
import { startSinks } from '../../../src/app/roles/sinks.js';
import { endOffsetSum } from '../../helpers/kafka.js';
import { exitedWithin, spawnOddsflow } from '../../helpers/processes.js';
import {
  provisionTopics,
  randomId,
  roleEnv,
  silentLogger,
  testConfig,
  testStack,
} from '../../helpers/stack.js';
import { tarArchive } from '../../../connectors/historical/tar-writer.js';

const fixtures = path.join(packageRoot, 'test/fixtures/historical');
const markets = ['1.185781277', '1.200806927', '1.205822330'];
const tables = ['events', 'results', 'odds_snapshots', 'market_pricing', 'selection_features'];

/**
 * The "done when": the three real Betfair recordings as Betfair sells them (a tar of one
 * bz2 per market), beside a BSP file and another bookmaker's CSV, backfilled twice (the second run
 * publishes nothing), processed into TimescaleDB, backfilled again from scratch (the stores add
 * no row), and backtested from the database with both example strategies into a report.
 */
describe('history: archive → backfill (twice) → stores → backtest', () => {
  let config: Config;
  let names: TopicNames;
  let kafka: Kafka;
  let pool: pg.Pool;
  let env: Record<string, string>;
  let dir: string;
  let input: string;
  const roles: RunningRole[] = [];
  const schema = randomId('history').replace('-', '_');

  const backfill = async (...extra: string[]) => {
    const child = spawnOddsflow(
      ['backfill', '--file', input, '--progress', path.join(dir, 'run.progress.json'), ...extra],
      env,
    );
    const code = await exitedWithin(child, 240_000);
    return { code, output: child.output() };
  };

  const counts = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const table of tables) {
      const { rows } = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${escapeIdentifier(schema)}.${escapeIdentifier(table)}`,
      );
      out[table] = Number(rows[0]!.n);
    }
    return out;
  };

  /** Until the processors and the sink have read everything and the tables stopped changing. */
  const settled = async (): Promise<Record<string, number>> => {
    const ctx = createRoleContext(config, silentLogger, createMetrics());
    const admin = kafka.admin();
    await admin.connect();
    let previous = '';
    const deadline = Date.now() + 400_000;
    try {
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 3_000));
        const lag = await measureLag(admin, {
          groups: [ctx.groups.prepare, ctx.groups.enrich, ctx.groups.sinkTimescale],
          now: Date.now(),
          horizonMs: 0,
        });
        const groups = [ctx.groups.prepare, ctx.groups.enrich, ctx.groups.sinkTimescale];
        // A group that has committed nothing yet has not started: not settled, however still the tables.
        const behind = lag.some((p) => p.lag > 0) || groups.some((g) => !lag.some((p) => p.group === g));
        const now = JSON.stringify(await counts());
        if (!behind && now === previous) return JSON.parse(now) as Record<string, number>;
        previous = now;
      }
    } finally {
      await admin.disconnect();
    }
    throw new Error(`the pipeline did not settle: ${previous}`);
  };

  beforeAll(async () => {
    config = testConfig({
      ODDSFLOW_INSTANCE_ID: 'history-test',
      ODDSFLOW_DB_SCHEMA: schema,
      ODDSFLOW_SINKS: 'timescale',
    });
    names = await provisionTopics(config);
    kafka = createKafka(config.kafka, { logger: silentLogger });
    pool = new pg.Pool({ connectionString: testStack().timescaleUrl, max: 2 });
    env = roleEnv(config, {
      DATABASE_URL: testStack().timescaleUrl,
      ODDSFLOW_DB_SCHEMA: schema,
      ODDSFLOW_STATE_DIR: mkdtempSync(path.join(tmpdir(), 'state-')),
    });
    dir = mkdtempSync(path.join(tmpdir(), 'history-'));
    input = path.join(dir, 'history');
    mkdirSync(input);
    // As Betfair's historical data is delivered: a tar of one bz2 file per market, in event folders.
    writeFileSync(
      path.join(input, 'betfair-pro.tar'),
      tarArchive(
        markets.map((m) => ({
          name: `PRO/2022/${m}.bz2`,
          data: readFileSync(path.join(fixtures, `${m}.bz2`)),
        })),
      ),
    );
    copyFileSync(
      path.join(fixtures, 'dwbfpricesauswin30072021.csv'),
      path.join(input, 'dwbfpricesauswin30072021.csv'),
    );
    copyFileSync(path.join(fixtures, 'softbook-place.csv'), path.join(input, 'softbook-place.csv'));
  }, 120_000);

  afterAll(async () => {
    for (const role of roles) await role.stop().catch(() => undefined);
    await pool.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(schema)} CASCADE`).catch(() => undefined);
    await pool.end();
  });

  let published = 0;
  let stored: Record<string, number> = {};

  it('backfills the archive once; a second run publishes nothing', async () => {
    const first = await backfill();
    expect(first.code, first.output).toBe(0);
    const done = /backfill complete: 5 files, (\d+) books, (\d+) results, 0 dead letters/.exec(first.output);
    expect(done, first.output).not.toBeNull();
    published = Number(done![1]) + Number(done![2]);
    expect(Number(done![1])).toBeGreaterThan(20_000);
    // Three stream settlements and one BSP result.
    expect(Number(done![2])).toBe(4);
    expect((await endOffsetSum(kafka, names.oddsRaw)) + (await endOffsetSum(kafka, names.resultsRaw))).toBe(
      published,
    );

    const second = await backfill();
    expect(second.code, second.output).toBe(0);
    expect(second.output).toMatch(/already complete/);
    expect((await endOffsetSum(kafka, names.oddsRaw)) + (await endOffsetSum(kafka, names.resultsRaw))).toBe(
      published,
    );
  }, 300_000);

  it('the processors and the TimescaleDB sink store it, features included; publishing it all again adds no row', async () => {
    const ctx = createRoleContext(config, silentLogger, createMetrics());
    roles.push(await startSinks(ctx), await startProcessors(ctx));
    stored = await settled();
    expect(stored.results).toBeGreaterThanOrEqual(4);
    expect(stored.selection_features).toBeGreaterThan(1_000);
    expect(stored.market_pricing).toBeGreaterThan(10_000);

    const again = await backfill('--restart');
    expect(again.code, again.output).toBe(0);
    // Kafka has every record twice now …
    expect((await endOffsetSum(kafka, names.oddsRaw)) + (await endOffsetSum(kafka, names.resultsRaw))).toBe(
      2 * published,
    );
    // … and the stores exactly what they had: the sinks upsert on natural keys, and records are
    // identical because their times are the provider's, not the reading's.
    expect(await settled()).toEqual(stored);
  }, 600_000);

  it('backtests both example strategies from TimescaleDB into a report, the same twice', async () => {
    for (const strategy of ['value', 'back-lay-arbitrage']) {
      const reports: string[] = [];
      for (const run of [1, 2]) {
        const out = path.join(dir, `${strategy}-${run}`);
        const child = spawnOddsflow(
          [
            'backtest',
            '--strategy',
            `examples/strategies/${strategy}.ts`,
            '--from',
            '2021-07-01T00:00:00Z',
            '--to',
            '2022-12-01T00:00:00Z',
            '--out',
            out,
          ],
          env,
        );
        const code = await exitedWithin(child, 240_000);
        expect(code, child.output()).toBe(0);
        expect(child.output()).toContain(`report: ${path.join(out, 'report.html')}`);
        expect(existsSync(path.join(out, 'equity.svg'))).toBe(true);
        expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('<svg');
        reports.push(readFileSync(path.join(out, 'report.json'), 'utf8'));
      }
      expect(reports[1]).toBe(reports[0]);
      const report = JSON.parse(reports[0]!) as {
        summary: { bets: number; quotes: number };
        markets: unknown[];
      };
      expect(report.summary.quotes).toBeGreaterThan(10_000);
      // The softbook's generous prices on the Sunshine Coast PLACE market are there to be found.
      expect(report.summary.bets).toBeGreaterThan(0);
      expect(report.markets.length).toBeGreaterThan(0);
    }
  }, 600_000);

  it('exports a point-in-time training set from TimescaleDB', async () => {
    const out = path.join(dir, 'train.csv');
    const child = spawnOddsflow(
      [
        'export-features',
        '--from',
        '2021-07-01T00:00:00Z',
        '--to',
        '2022-12-01T00:00:00Z',
        '--before-start',
        '5m',
        '--split-at',
        '2022-01-01T00:00:00Z',
        '--out',
        out,
      ],
      env,
    );
    const code = await exitedWithin(child, 120_000);
    expect(code, child.output()).toBe(0);
    expect(child.output()).toMatch(/from timescale/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const header = lines[0]!.split(',');
    const rows = lines
      .slice(1)
      .map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])) as Record<string, string>);
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows)
      expect(Date.parse(row.eventTime!)).toBeLessThanOrEqual(Date.parse(row.decisionTime!));
    expect(new Set(rows.map((r) => r.split))).toEqual(new Set(['train', 'test']));
    expect(rows.some((r) => r.won === 'true')).toBe(true);
  }, 180_000);
});
