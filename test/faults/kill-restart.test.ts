import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited } from '../helpers/processes.js';
import {
  expectExactStores,
  preparePipelineRun,
  waitUntilSettled,
  type PipelineRun,
  type Role,
} from './pipeline-run.js';
import { faultIterations, report, seededRandom } from './report.js';

const BOOKS = 1500;

describe('kill -9 of the processors and the sinks at random points', () => {
  let run: PipelineRun;

  beforeAll(async () => {
    run = await preparePipelineRun('faults', BOOKS);
    await run.publish(run.raw);
  }, 120_000);

  afterAll(async () => {
    await run?.cleanup();
  });

  it(`leaves exactly the expected rows in TimescaleDB and the newest state in Redis (${faultIterations} kills)`, async () => {
    const random = seededRandom();
    const roles: Record<Role, ChildProcess | undefined> = { processors: undefined, sinks: undefined };
    const start = (role: Role) => (roles[role] = run.startRole(role));
    start('sinks');
    start('processors');
    const kills: string[] = [];
    for (let i = 0; i < faultIterations; i++) {
      await new Promise((r) => setTimeout(r, 1500 + random.next() * 3500));
      const victim = random.next() < 0.5 ? 'processors' : 'sinks';
      roles[victim]!.kill('SIGKILL');
      await exited(roles[victim]!);
      kills.push(victim);
      start(victim);
    }

    const settled = await waitUntilSettled(run, 180_000);
    const running = Object.values(roles).filter((c): c is ChildProcess => c !== undefined);
    for (const child of running) child.kill('SIGTERM');
    await Promise.all(running.map((c) => exited(c)));
    expect(settled, `seed ${random.seed}: pipeline did not settle`).toBe(true);

    const checked = await expectExactStores(run, `seed ${random.seed}`);
    report(
      'kill -9',
      `seed ${random.seed}, kills ${kills.join(',')}: ${BOOKS} raw books → ${checked.rows} odds_snapshots rows equal to the expected set; newest price of ${checked.fields} Redis fields checked`,
    );
  }, 420_000);
});
