import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageRoot } from '../../src/core/config/paths.js';
import type { TopicId } from '../../src/core/kafka/topics.js';
import type { BenchEnv } from '../env.js';
import { cpuMsExceptBench, cpuShares, cpuSnapshot, formatShares, type CpuSnapshot } from '../cpu.js';
import { groupLag } from '../kafka-lag.js';
import { progress } from '../progress.js';
import type { BenchResult } from '../report.js';
import type { CopyStageSpec, SameShapeSpec } from '../same-shape/spec.js';
import { perSecond } from '../stats.js';

interface Stage {
  child: ChildProcess;
  /** When its first batch arrived (performance.now() of this process), once it has. */
  firstBatchAt: number | undefined;
}

function startStage(env: BenchEnv, spec: SameShapeSpec): Promise<Stage> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(packageRoot, 'bench/same-shape/stage.ts')],
    {
      cwd: packageRoot,
      env: { ...process.env, ...env.roleEnv, BENCH_SAME_SHAPE: JSON.stringify(spec) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stage: Stage = { child, firstBatchAt: undefined };
  let errors = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('"ready":true')) resolve(stage);
      const first = /"firstBatchAt":(\d+)/.exec(chunk);
      // The child's wall clock, on this machine, turned into this process's monotonic one.
      if (first) stage.firstBatchAt = performance.now() - (Date.now() - Number(first[1]));
    });
    child.once('exit', (code) =>
      reject(new Error(`same-shape ${spec.role} exited (${code}): ${errors.slice(-2000)}`)),
    );
  });
}

/**
 * The pipeline's shape without its work: the same raw backlog read by two transactional copy
 * stages in one process (prepare's and enrich's topics, the same number of messages per input
 * record with the recorded bytes and keys of what the pipeline wrote, the same records per
 * transaction and partitions served alike) and, in another, two groups reading what the sinks
 * read and only committing. Raw records per second from the first batch the copy stages read
 * until every group has committed everything; the pipeline's rate over this is
 * `ratios.pipeline_vs_same_shape`. Runs after the pipeline scenario, whose topics it copies.
 */
export async function benchSameShape(
  env: BenchEnv,
  rawTotal: number,
  written: (topic: string) => number,
): Promise<{ results: BenchResult[]; stopped: Promise<void> }> {
  const children: ChildProcess[] = [];
  // The stages leave their groups gracefully, which waits out an idle fetch (up to 5 s): once the
  // figures are in, the caller goes on meanwhile and waits for them before the run ends.
  const stop = (): Promise<void> => {
    for (const child of children) child.kill('SIGTERM');
    return Promise.all(
      children.map((c) =>
        c.exitCode === null ? new Promise<void>((r) => c.once('exit', () => r())) : Promise.resolve(),
      ),
    ).then(() => undefined);
  };
  try {
    return { results: await copyTheShape(env, rawTotal, written, children), stopped: stop() };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function copyTheShape(
  env: BenchEnv,
  rawTotal: number,
  written: (topic: string) => number,
  children: ChildProcess[],
): Promise<BenchResult[]> {
  const scenario = 'same_shape';
  const n = env.names;
  const count = (id: TopicId) => written(n[id]);
  const ss = (id: TopicId) => env.topic(`same-shape.${n[id].slice(env.topic('').length)}`);
  const copied = [
    'oddsNormalized',
    'resultsNormalized',
    'oddsPricing',
    'featuresMarket',
    'featuresOpening',
  ] as const;
  const admin = env.kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: copied.map((id) => ({ topic: ss(id), numPartitions: env.config.topics.partitions })),
    });
    progress(
      scenario,
      `per raw record the pipeline wrote ${((count('oddsNormalized') + count('resultsNormalized')) / rawTotal).toFixed(2)} prepare and ${((count('oddsPricing') + count('featuresMarket') + count('featuresOpening')) / rawTotal).toFixed(2)} enrich messages; copying that shape`,
    );
    const settings = env.config.settings;
    const group = (name: string) => env.topic(`same-shape-${name}`);
    const common = {
      chunkRecords: settings.ODDSFLOW_TRANSACTION_MAX_RECORDS,
      sinkBatchRecords: settings.ODDSFLOW_SINK_BATCH_RECORDS,
    };
    const perNormalized = (id: TopicId) => count(id) / Math.max(1, count('oddsNormalized'));
    const sinks = [
      {
        group: group('timescale'),
        inputs: (['oddsNormalized', 'oddsPricing', 'resultsNormalized', 'featuresMarket'] as const).map(ss),
      },
      { group: group('redis'), inputs: (['oddsNormalized', 'oddsPricing'] as const).map(ss) },
    ];
    const stages: [CopyStageSpec, CopyStageSpec] = [
      {
        group: group('prepare'),
        inputs: [n.oddsRaw, n.resultsRaw],
        outputs: (['oddsNormalized', 'resultsNormalized'] as const).map((id) => ({
          topic: ss(id),
          source: n[id],
          perInput: count(id) / rawTotal,
        })),
      },
      {
        group: group('enrich'),
        inputs: [ss('oddsNormalized')],
        outputs: (['oddsPricing', 'featuresMarket', 'featuresOpening'] as const).map((id) => ({
          topic: ss(id),
          source: n[id],
          perInput: perNormalized(id),
        })),
      },
    ];
    children.push((await startStage(env, { role: 'sinks', sinks, ...common })).child);
    const copier = await startStage(env, {
      role: 'processors',
      prepare: stages[0],
      enrich: stages[1],
      ...common,
    });
    children.push(copier.child);
    // The copy stages and the stack services; the pipeline's roles, idle by now, are left out.
    const stagePids = new Map(
      children.map((child, i): [string, number] => [
        i === 0 ? 'same-shape sinks' : 'same-shape processors',
        child.pid!,
      ]),
    );
    const cpuFrom = cpuSnapshot(stagePids);
    const started = performance.now();
    const lagOf = async () => {
      const lags = await Promise.all([
        ...stages.map((s) => groupLag(admin, s.group, s.inputs)),
        ...sinks.map((s) => groupLag(admin, s.group, s.inputs)),
      ]);
      return lags.reduce((a, b) => a + b, 0);
    };
    let lastReport = started;
    let drained: { at: number; cpu: CpuSnapshot } | undefined;
    for (;;) {
      const lag = await lagOf();
      const now = performance.now();
      // The groups' lags are read one after another: a stage may commit (and feed the next)
      // in between, so the drain counts from the first of two polls in a row at 0.
      if (lag !== 0) drained = undefined;
      else if (drained === undefined) drained = { at: now, cpu: cpuSnapshot(stagePids) };
      else {
        // From the first batch the copy read, as the pipeline counts from its first record read:
        // the groups' joining is neither's work.
        const ms = drained.at - (copier.firstBatchAt ?? started);
        const rate = perSecond(rawTotal, ms);
        progress(scenario, `CPU (cores) while copying: ${formatShares(cpuShares(cpuFrom, drained.cpu))}`);
        progress(
          scenario,
          `drained ${rawTotal} raw records in ${(ms / 1000).toFixed(1)} s from the first batch (${((drained.at - started) / 1000).toFixed(1)} s from the stages' start): ${Math.round(rate)} raw records/s`,
        );
        // What moving the pipeline's messages through its transactions costs with no work at
        // all: the floor under cpu_us_per_record for this topology and client.
        const cpuUs = (cpuMsExceptBench(cpuFrom, drained.cpu) * 1000) / rawTotal;
        return [
          { name: 'same_shape', value: Math.round(rate), unit: 'records/s' },
          { name: 'same_shape_cpu_us_per_record', value: Math.round(cpuUs), unit: 'µs' },
        ];
      }
      if (now - started > 300_000) throw new Error(`same_shape: not drained after 5 minutes (lag ${lag})`);
      if (now - lastReport > 3_000) {
        lastReport = now;
        progress(scenario, `lag ${lag}`);
      }
      await sleep(250);
    }
  } finally {
    await admin.disconnect();
  }
}
