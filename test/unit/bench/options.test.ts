import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseOptions } from '../../../bench/options.js';
import { defaultScenarioNames, profiles, quickScenarioNames } from '../../../bench/profiles.js';
import { roleCommand } from '../../../bench/role-process.js';

describe('parseOptions', () => {
  it('runs every scenario but the opt-in ones with the full profile by default', () => {
    const options = parseOptions([]);
    expect([...options.scenarios]).toEqual([...defaultScenarioNames]);
    expect(defaultScenarioNames).toContain('pipeline');
    expect(defaultScenarioNames).not.toContain('client_ab');
    expect(options.profile).toBe(profiles.full);
    expect(options.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/test');
  });

  it('takes --quick, --only and --partitions', () => {
    const options = parseOptions(['--quick', '--only', 'pipeline, latency', '--partitions', '2']);
    expect(options.profile).toBe(profiles.quick);
    expect([...options.scenarios]).toEqual(['pipeline', 'latency']);
    expect(options.partitions).toBe(2);
  });

  it('runs the scenarios of the goals only with --quick, unless --only says otherwise', () => {
    expect([...parseOptions(['--quick']).scenarios]).toEqual([...quickScenarioNames]);
    expect(quickScenarioNames).not.toContain('backfill');
    expect(quickScenarioNames).not.toContain('floor');
    expect(defaultScenarioNames).toContain('floor');
    expect(quickScenarioNames).toContain('sink_embedded');
    expect([...parseOptions(['--quick', '--only', 'backfill']).scenarios]).toEqual(['backfill']);
  });

  it('runs the client A/B only when --only names it', () => {
    expect(quickScenarioNames).not.toContain('client_ab');
    const options = parseOptions(['--only', 'client_ab']);
    expect([...options.scenarios]).toEqual(['client_ab']);
    expect(options.profile.clientAb).toEqual({ messages: 50_000, repeats: 2 });
  });

  it('replaces the latency loads, each named by its rate', () => {
    const options = parseOptions(['--quick', '--latency-loads', '500,2000']);
    expect(options.profile.latency.loads.map((l) => [l.name, l.perSecond])).toEqual([
      ['latency_500', 500],
      ['latency_2000', 2_000],
    ]);
    expect(options.profile.latency.loads[0]?.seconds).toBe(profiles.quick.latency.loads.at(-1)?.seconds);
  });

  it('runs the roles from dist/ as the Docker image does, unless --tsx', () => {
    expect(parseOptions([]).tsx).toBe(false);
    expect(parseOptions(['--quick', '--tsx']).tsx).toBe(true);
    const tsx = roleCommand('sinks', { nodeArgs: ['--cpu-prof'] });
    expect(tsx.slice(0, 3)).toEqual(['--cpu-prof', '--import', 'tsx']);
    expect(tsx.at(3)).toMatch(/\/src\/app\/cli\/main\.ts$/);
    const compiled = roleCommand('sinks', { runtime: 'compiled' });
    expect(compiled[0]).toMatch(/\/dist\/src\/app\/cli\/main\.js$/);
    expect(compiled.slice(1)).toEqual(['run', '--role', 'sinks']);
  });

  it('passes --role-node-args to the role processes, one flag per word', () => {
    expect(parseOptions([]).roleNodeArgs).toEqual([]);
    expect(
      parseOptions(['--role-node-args=--max-old-space-size=144  --max-semi-space-size=8']).roleNodeArgs,
    ).toEqual(['--max-old-space-size=144', '--max-semi-space-size=8']);
  });

  it('refuses unknown scenarios, options and bad numbers', () => {
    expect(() => parseOptions(['--only', 'pipline'])).toThrow(/unknown scenario pipline/);
    expect(() => parseOptions(['--fast'])).toThrow(BenchUsageError);
    expect(() => parseOptions(['--fast'])).toThrow(/Unknown option '--fast'/);
    expect(() => parseOptions(['--partitions', '0'])).toThrow(/--partitions/);
    expect(() => parseOptions(['--latency-loads', '200,x'])).toThrow(/--latency-loads/);
  });
});
