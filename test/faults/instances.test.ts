import type { ChildProcess } from 'node:child_process';
import type { Admin } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
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
  faultSessionTimeoutMs,
} from './pipeline-run.js';
import { report } from './report.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The committed offsets of each group, summed over its partitions. */
async function committedTotal(admin: Admin, groups: string[]): Promise<Map<string, number>> {
  const rows = await measureLag(admin, { groups, now: Date.now() }).catch(() => []);
  const totals = new Map<string, number>(groups.map((g) => [g, -1]));
  for (const r of rows)
    if (r.committed !== null) totals.set(r.group, Math.max(0, totals.get(r.group)!) + Number(r.committed));
  return totals;
}

/**
 * Publishes the run's books from `from` in bursts until `stopAt` of them are out; `sent` says how
 * many are. From `gateAt` on, one book a pause until `release()`.
 */
function publishSteadily(
  run: PipelineRun,
  stopAt: number,
  burst = 25,
  pauseMs = 100,
  from = 0,
  gateAt = stopAt,
) {
  let released = false;
  const state = { sent: from, done: Promise.resolve(), release: () => void (released = true) };
  state.done = (async () => {
    while (state.sent < stopAt) {
      // Past the gate, one book a pause until released: books still flow whatever the moves cost.
      const size = state.sent >= gateAt && !released ? 1 : burst;
      const to = Math.min(stopAt, state.sent + size);
      await run.publish(run.raw.slice(state.sent, to));
      state.sent = to;
      await sleep(pauseMs);
    }
  })();
  return state;
}

describe('several instances of a role share the partitions', () => {
  const children: ChildProcess[] = [];
  const runs: PipelineRun[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited(child);
    }
    for (const run of runs.splice(0)) await run.cleanup();
  });

  it('a zombie (a processors instance frozen past its session) cannot commit what its successor took over: fenced, nothing twice', async () => {
    const run = await preparePipelineRun('zombie', 1200);
    runs.push(run);
    const prepare = groupIds(run.config.topics.prefix).prepare;
    const admin = createKafka(run.config.kafka, { logger: silentLogger }).admin();
    await admin.connect();
    try {
      const a = run.startRole('processors', 'zombie-a');
      children.push(a);
      const books = publishSteadily(run, 600);
      // A is working (it has committed some books) and has more in flight when it freezes.
      let lag = 0;
      for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(25)) {
        const rows = await measureLag(admin, { groups: [prepare], now: Date.now() }).catch(() => []);
        lag = rows.reduce((sum, r) => sum + r.lag, 0);
        if (rows.some((r) => r.committed !== null) && lag > 0) break;
      }
      expect(lag, a.output()).toBeGreaterThan(0);
      a.kill('SIGSTOP');
      const b = run.startRole('processors', 'zombie-b');
      children.push(b);
      await books.done;
      // B takes every partition once A's session has expired, and processes what A left.
      const moreBooks = publishSteadily(run, run.raw.length, 25, 100, books.sent);
      const frozenMs = 2 * faultSessionTimeoutMs + 5_000;
      await sleep(frozenMs);
      a.kill('SIGCONT'); // the zombie wakes up believing it still owns its partitions
      await moreBooks.done;
      expect(await waitUntilSettled(run, 180_000, ['processors']), `${a.output()}\n${b.output()}`).toBe(true);
      const topics = await expectExactTopics(run, 'zombie');
      const fenced = a
        .output()
        .split('\n')
        .filter((l) => /fenc|newer producer|old epoch|INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/i.test(l));
      expect(fenced.length, 'the zombie attempted a commit and was fenced').toBeGreaterThan(0);
      report(
        'zombie fenced',
        `processors instance A frozen (SIGSTOP) with prepare lag ${lag}, B took over, A resumed after ${frozenMs / 1000} s: ${fenced.length} fencing error(s) in A's log; odds.raw ${topics.raw} once each, odds.normalized ${topics.normalized} and odds.pricing ${topics.pricing} equal to the expected books`,
      );
    } finally {
      await admin.disconnect();
    }
  }, 420_000);

  it('partitions move between two instances of each role while books flow: the same exact checks', async () => {
    const run = await preparePipelineRun('rebalance', 1500);
    runs.push(run);
    const start = (role: 'processors' | 'sinks', instance: string) => {
      const child = run.startRole(role, instance);
      children.push(child);
      return child;
    };
    const groups = groupIds(run.config.topics.prefix);
    const admin = createKafka(run.config.kafka, { logger: silentLogger }).admin();
    await admin.connect();
    /** Waits until every group has committed since `since` books were out (its members are working). */
    const working = async (what: string) => {
      const before = await committedTotal(admin, Object.values(groups));
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(250)) {
        const now = await committedTotal(admin, Object.values(groups));
        if ([...now].every(([group, n]) => n > (before.get(group) ?? -1))) return;
      }
      throw new Error(`${what}: the groups made no progress in 60 s`);
    };
    const firstSinks = start('sinks', 'one');
    const firstProcessors = start('processors', 'one');
    // 25 books a second; the last 300 only once the third instances start, so that books flow
    // through every move however long the joins and graceful leaves take on a loaded machine.
    const books = publishSteadily(run, run.raw.length, 25, 1_000, 0, run.raw.length - 300);
    const moves: string[] = [];
    try {
      await working('first instances');
      start('sinks', 'two');
      start('processors', 'two');
      await sleep(8_000); // the second instances join (a rebalance) and take their share
      await working('two instances each');
      moves.push(`second instances joined at ${books.sent} books`);
      // The first instances leave (a rolling restart): their partitions move to the second ones.
      firstProcessors.kill('SIGTERM');
      firstSinks.kill('SIGTERM');
      expect(await exited(firstProcessors), firstProcessors.output()).toBe(0);
      expect(await exited(firstSinks), firstSinks.output()).toBe(0);
      moves.push(`first instances stopped at ${books.sent}`);
      await working('second instances alone');
      expect(books.sent, 'books still flowing when the second instances work alone').toBeLessThan(
        run.raw.length,
      );
      start('sinks', 'three');
      start('processors', 'three');
      books.release();
      await sleep(8_000);
      moves.push(`third instances joined at ${books.sent}`);
    } finally {
      books.release();
      await admin.disconnect();
    }
    await books.done;
    expect(await waitUntilSettled(run, 180_000)).toBe(true);
    const topics = await expectExactTopics(run, 'rebalance');
    const stores = await expectExactStores(run, 'rebalance');
    report(
      'rebalance',
      `${moves.join('; ')}: odds.raw ${topics.raw} once each, odds.normalized ${topics.normalized} and odds.pricing ${topics.pricing} equal to the expected books; ${stores.rows} odds_snapshots rows equal to the expected set; Redis exactly the expected ${stores.fields} fields`,
    );
  }, 420_000);
});
