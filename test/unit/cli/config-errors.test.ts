import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/core/config/paths.js';
import { createLogger } from '../../../src/core/logger.js';
import { captureLogs } from '../../helpers/logs.js';

function oddsflow(args: string[], env: Record<string, string>) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(packageRoot, 'src/app/cli/main.ts'), ...args],
    {
      cwd: packageRoot,
      env: {
        PATH: process.env.PATH ?? '',
        ODDSFLOW_STACK_DIR: mkdtempSync(path.join(tmpdir(), 'of-')),
        ...env,
      },
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
}

describe('start-up with bad configuration', () => {
  it('exits 2 with one readable line per problem, before touching any server', () => {
    const result = oddsflow(['topics', 'create'], {
      KAFKA_BROKERS: 'not-a-broker',
      ODDSFLOW_TOPIC_PARTITIONS: '0',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('oddsflow: invalid configuration');
    expect(result.stderr).toContain('KAFKA_BROKERS: expected host:port (got "not-a-broker")');
    expect(result.stderr).toMatch(/ODDSFLOW_TOPIC_PARTITIONS: .*\(got "0"\)/);
    expect(result.stdout).toBe('');
  });

  it('prints help for every subcommand', () => {
    const result = oddsflow(['stack', '--help'], {});
    expect(result.status).toBe(0);
    for (const sub of ['up', 'down', 'status']) expect(result.stdout).toMatch(new RegExp(`^  ${sub} `, 'm'));
  });
});

describe('oddsflow bench', () => {
  it('hands its options to the benchmark: its own usage, and exit 2 with one line for one it does not know', () => {
    const help = oddsflow(['bench', '--help'], {});
    expect(help.status).toBe(0);
    expect(help.stdout).toContain(
      'Scenarios: betfair_decode, sink_timescale, sink_embedded, passthrough, pipeline, floor, latency',
    );
    const bogus = oddsflow(['bench', '--bogus'], {});
    expect(bogus.status).toBe(2);
    expect(bogus.stderr.split('\n')[0]).toBe("bench: Unknown option '--bogus'");
  });
});

describe('logger', () => {
  it('redacts secrets wherever they appear in a logged object', () => {
    const logs = captureLogs();
    const logger = createLogger({ level: 'info', destination: logs.stream });
    logger.info(
      {
        config: { apiKey: 'k-123', password: 'p-456', sasl: { password: 'p-789' } },
        headers: { authorization: 'Bearer t' },
      },
      'starting',
    );
    const line = JSON.stringify(logs.lines()[0]);
    for (const secret of ['k-123', 'p-456', 'p-789', 'Bearer t']) expect(line).not.toContain(secret);
    expect(line).toContain('[redacted]');
  });
});
