import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../../src/app/config/load.js';
import { stackDown } from '../../../stack/index.js';
import { testStack } from '../../helpers/stack.js';
import { exited, exitedWithin, spawnOddsflow } from '../../helpers/processes.js';

interface Summary {
  topics: Record<string, number>;
  timescale: Record<string, number>;
  redis: { keys: number };
  deadLetters: number;
  deadLetterReasons: Record<string, number>;
  recordsPerSecond: number;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run demo', () => {
  it('runs the whole pipeline on the simulators: records in every topic, rows in TimescaleDB, keys in Redis, no dead letter', async () => {
    const stack = testStack();
    // The default path, as a new user runs it: nothing configured, so the demo finds the local
    // stack by itself and writes to its embedded TimescaleDB. Only a stack of containers (Docker)
    // has to be named.
    const defaultPath = stack.source === 'local-stack' && !process.env.DATABASE_URL;
    const demo = spawnOddsflow(['demo', '--duration', '45', '--json'], {
      KAFKA_BROKERS: defaultPath ? undefined : stack.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: defaultPath ? undefined : stack.schemaRegistryUrl,
      DATABASE_URL: defaultPath ? undefined : stack.timescaleUrl,
      REDIS_URL: defaultPath ? undefined : stack.redisUrl,
      ODDSFLOW_LOG_LEVEL: 'warn',
    });
    expect(await exitedWithin(demo, 240_000), demo.output()).toBe(0);
    const lastLine = demo
      .output()
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{"topics"'))
      .at(-1);
    expect(lastLine, demo.output()).toBeDefined();
    const summary = JSON.parse(lastLine!) as Summary;

    for (const [topic, records] of Object.entries(summary.topics)) {
      if (topic.endsWith('odds.dlq')) expect(records, topic).toBe(0);
      else expect(records, topic).toBeGreaterThan(0);
    }
    expect(summary.deadLetters, JSON.stringify(summary.deadLetterReasons)).toBe(0);
    for (const table of ['odds_snapshots', 'market_pricing', 'events', 'results'])
      expect(summary.timescale[table], table).toBeGreaterThan(0);
    expect(summary.redis.keys).toBeGreaterThan(0);
    expect(summary.recordsPerSecond).toBeGreaterThan(0);

    // The summary's numbers, checked against the stores themselves.
    const client = new pg.Client({ connectionString: stack.timescaleUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM demo.odds_snapshots');
      expect(Number(rows[0]!.n)).toBe(summary.timescale.odds_snapshots);
      if (defaultPath) {
        // ...and it was the embedded TimescaleDB: the tables are hypertables.
        const hypertables = await client.query<{ name: string }>(
          `SELECT hypertable_name AS name FROM timescaledb_information.hypertables WHERE hypertable_schema = 'demo' ORDER BY 1`,
        );
        expect(hypertables.rows.map((r) => r.name)).toEqual([
          'market_pricing',
          'odds_snapshots',
          'selection_features',
        ]);
      }
    } finally {
      await client.end();
    }
    const redis = new Redis(stack.redisUrl);
    try {
      let cursor = '0';
      let keys = 0;
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', 'demo:*', 'COUNT', 1000);
        cursor = next;
        keys += found.length;
      } while (cursor !== '0');
      expect(keys).toBe(summary.redis.keys);
    } finally {
      redis.disconnect();
    }
  }, 300_000);

  it('Ctrl-C (SIGINT) stops everything it started, its own local stack included', async () => {
    const stackDir = mkdtempSync(path.join(tmpdir(), 'oddsflow-demo-stack-'));
    const stack = testStack();
    // A stack of its own (other ports, other directory), so the demo has something to start and stop.
    const env = {
      ODDSFLOW_STACK_DIR: stackDir,
      ODDSFLOW_STACK_KAFKA_PORT: '29092',
      ODDSFLOW_STACK_REGISTRY_PORT: '28081',
      ODDSFLOW_STACK_TIMESCALE_PORT: '25432',
      REDIS_URL: stack.redisUrl,
      ODDSFLOW_LOG_LEVEL: 'warn',
    };
    // Whatever happens to the test, the demo's own stack must not outlive it.
    onTestFinished(() => stackDown(loadConfig(env), () => undefined).then(() => undefined));
    const demo = spawnOddsflow(['demo'], env);
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline && !demo.output().includes('demo: running') && demo.exitCode === null) {
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(demo.output()).toContain('demo: running');
    const pids = ['kafka/kafka.pid', 'registry/registry.pid', 'timescale/timescale.pid']
      .map((f) => path.join(stackDir, f))
      .filter((f) => existsSync(f))
      .map((f) => Number(readFileSync(f, 'utf8').trim()));
    expect(pids).toHaveLength(3);
    expect(pids.every(isAlive)).toBe(true);

    await new Promise((r) => setTimeout(r, 5000));
    demo.kill('SIGINT');
    expect(await exited(demo), demo.output()).toBe(0);
    expect(demo.output()).toContain('stopping the stack services it started');
    expect(pids.filter(isAlive)).toEqual([]);
  }, 300_000);
});
