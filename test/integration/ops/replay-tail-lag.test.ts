import path from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { packageRoot } from '../../../src/core/config/paths.js';
import type { Config } from '../../../src/app/config/load.js';
import { provisionTopics, randomId, roleEnv, testConfig, testStack } from '../../helpers/stack.js';
import { exited, spawnOddsflow } from '../../helpers/processes.js';

const oddsFile = path.join(packageRoot, 'test/fixtures/the-odds-api/sample_odds_basketball_nba_decimal.json');

async function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawnOddsflow(args, env);
  const code = await exited(child);
  return { code, output: child.output() };
}

async function lagOf(env: Record<string, string>, group: string): Promise<number> {
  const { output } = await run(['lag', '--group', group, '--json'], env);
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { lag: number; topic: string })
    .reduce((sum, r) => sum + r.lag, 0);
}

describe('replay, tail and lag', () => {
  let config: Config;
  let env: Record<string, string>;

  beforeAll(async () => {
    config = testConfig();
    await provisionTopics(config);
    env = roleEnv(config, { ODDSFLOW_INSTANCE_ID: 'lag-test' });
  });

  it('replays a recorded Odds API response to odds.raw, and tail decodes it back', async () => {
    const replay = await run(['replay', '--provider', 'the-odds-api', '--file', oddsFile], env);
    expect(replay.code, replay.output).toBe(0);
    const books = Number(/replay done: .*: (\d+) books/.exec(replay.output)?.[1]);
    expect(books).toBeGreaterThan(0);

    const tail = await run(['tail', 'odds.raw', '--from-beginning', '--limit', String(books)], env);
    const lines = tail.output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { provider: string; priceFormat: string });
    expect(lines).toHaveLength(books);
    expect(lines.every((l) => l.provider === 'the-odds-api' && l.priceFormat === 'decimal')).toBe(true);
  });

  it('resumes a replay from a position', async () => {
    const replay = await run(
      ['replay', '--provider', 'the-odds-api', '--file', oddsFile, '--from', '2'],
      env,
    );
    expect(replay.code, replay.output).toBe(0);
    expect(replay.output).toMatch(/replay done: positions 2\.\./);
  });

  it('shows growing lag while a sink is stopped, back to 0 after it restarts', async () => {
    const schema = randomId('lag').replace('-', '_');
    const sinkEnv = {
      ...env,
      DATABASE_URL: testStack().postgresUrl,
      ODDSFLOW_DB_SCHEMA: schema,
      ODDSFLOW_SINKS: 'timescale',
    };
    onTestFinished(async () => {
      const client = new pg.Client({ connectionString: testStack().postgresUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    });
    const group = `${config.topics.prefix}oddsflow-sink-timescale`;
    const processors = spawnOddsflow(['run', '--role', 'processors'], env);
    const sinks = spawnOddsflow(['run', '--role', 'sinks'], sinkEnv);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await lagOf(env, group).catch(() => -1)) !== 0)
      await new Promise((r) => setTimeout(r, 1000));
    expect(await lagOf(env, group), sinks.output()).toBe(0);
    sinks.kill('SIGTERM');
    expect(await exited(sinks)).toBe(0);

    // New books (the processors would drop repeats of the ones replayed above as unchanged).
    await run(
      [
        'replay',
        '--provider',
        'the-odds-api',
        '--file',
        path.join(
          packageRoot,
          'test/fixtures/the-odds-api/oddsapi_basketball_nba_h2h_spreads_totals_h2hlay_american.json',
        ),
      ],
      env,
    );
    // The processors go on; what they write piles up for the stopped sink.
    let lagWhileStopped = 0;
    const until = Date.now() + 60_000;
    while (Date.now() < until && (lagWhileStopped = await lagOf(env, group)) === 0)
      await new Promise((r) => setTimeout(r, 1000));
    expect(lagWhileStopped).toBeGreaterThan(0);
    const alert = await run(['lag', '--group', group, '--max-lag', '0'], env);
    expect(alert.code).toBe(3);
    expect(alert.output).toMatch(/exceeds --max-lag 0/);

    const restarted = spawnOddsflow(['run', '--role', 'sinks'], sinkEnv);
    const caughtUp = Date.now() + 60_000;
    while (Date.now() < caughtUp && (await lagOf(env, group)) > 0)
      await new Promise((r) => setTimeout(r, 1000));
    expect(await lagOf(env, group)).toBe(0);
    expect((await run(['lag', '--group', group, '--max-lag', '0'], env)).code).toBe(0);
    for (const child of [restarted, processors]) child.kill('SIGTERM');
    expect(await exited(restarted)).toBe(0);
    expect(await exited(processors)).toBe(0);
  });
});
