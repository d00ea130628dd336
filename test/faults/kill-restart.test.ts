import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../src/core/kafka/client.js';
import { groupIds } from '../../src/core/kafka/groups.js';
import { measureLag } from '../../src/app/ops/lag.js';
import { exited } from '../helpers/processes.js';
import { silentLogger } from '../helpers/stack.js';
import {
  expectExactStores,
  expectExactTopics,
  preparePipelineRun,
  waitUntilSettled,
  type PipelineRun,
  type Role,
} from './pipeline-run.js';
import { faultIterations, report, seededRandom } from './report.js';

/** Books per kill, published while the roles run, so that every kill lands in a busy stream. */
const BOOKS_PER_KILL = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('kill -9 of the processors and the sinks at random points', () => {
  let run: PipelineRun;
  const books = BOOKS_PER_KILL * Math.max(faultIterations, 1);

  beforeAll(async () => {
    run = await preparePipelineRun('faults', books);
  }, 120_000);

  afterAll(async () => {
    await run?.cleanup();
  });

  it(`kills mid-batch leave every topic exactly once, the expected rows and the newest Redis state (${faultIterations} kills)`, async () => {
    const random = seededRandom();
    const groups = groupIds(run.config.topics.prefix);
    const groupsOf: Record<Role, string[]> = {
      processors: [groups.prepare, groups.enrich],
      sinks: [groups.sinkTimescale, groups.sinkRedis],
    };
    const admin = createKafka(run.config.kafka, { logger: silentLogger }).admin();
    await admin.connect();
    const lagOf = async (role: Role) =>
      (await measureLag(admin, { groups: groupsOf[role], now: Date.now() }).catch(() => [])).reduce(
        (sum, r) => sum + r.lag,
        0,
      );

    const roles: Record<Role, ChildProcess | undefined> = { processors: undefined, sinks: undefined };
    const start = (role: Role) => (roles[role] = run.startRole(role));
    start('sinks');
    start('processors');
    // Each kill lands in a busy stream: its share of the books is published just before it, in
    // bursts, and the victim is killed only once its groups have records in flight.
    const kills: string[] = [];
    try {
      for (let i = 0; i < faultIterations; i++) {
        const share = run.raw.slice(i * BOOKS_PER_KILL, (i + 1) * BOOKS_PER_KILL);
        const victim = random.next() < 0.5 ? 'processors' : 'sinks';
        const publishing = (async () => {
          for (let b = 0; b < share.length; b += 50) {
            await run.publish(share.slice(b, b + 50));
            await sleep(50 + random.next() * 200);
          }
        })();
        // The kill comes while the share is arriving, at a random moment the victim has records in flight.
        await sleep(random.next() * 600);
        let lag = 0;
        for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(10)) {
          lag = await lagOf(victim);
          if (lag > 0) break;
        }
        expect(lag, `seed ${random.seed}: kill ${i + 1} (${victim}) found nothing in flight`).toBeGreaterThan(
          0,
        );
        roles[victim]!.kill('SIGKILL');
        await exited(roles[victim]!);
        kills.push(`${victim}(lag ${lag})`);
        start(victim);
        await publishing;
        // Restarted roles need a few seconds before they consume again; the next share waits for that.
        await sleep(1500 + random.next() * 2000);
      }
      const settled = await waitUntilSettled(run, 180_000);
      expect(settled, `seed ${random.seed}: pipeline did not settle`).toBe(true);
    } finally {
      const running = Object.values(roles).filter((c): c is ChildProcess => c !== undefined);
      for (const child of running) child.kill('SIGTERM');
      await Promise.all(running.map((c) => exited(c)));
      await admin.disconnect();
    }

    const topics = await expectExactTopics(run, `seed ${random.seed}`);
    const stores = await expectExactStores(run, `seed ${random.seed}`);
    report(
      'kill -9',
      `seed ${random.seed}, kills ${kills.join(', ')}: ${books} raw books published during the kills → odds.raw ${topics.raw} once each, odds.normalized ${topics.normalized} and odds.pricing ${topics.pricing} equal to the expected books (each once); ${stores.rows} odds_snapshots rows equal to the expected set; Redis holds exactly the expected ${stores.fields} fields, each with the newest price`,
    );
  }, 600_000);
});
