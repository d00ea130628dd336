import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { roleNodeFlags } from '../src/app/node-flags.js';
import { packageRoot } from '../src/core/config/paths.js';
import { rawBacklog } from './backlog.js';
import { buildDist } from './build.js';
import { createBenchEnv, type BenchEnv } from './env.js';
import { BenchUsageError, parseOptions, usage, type BenchOptions } from './options.js';
import { elapsedSeconds, progress } from './progress.js';
import { buildReport, formatTable, type BenchResult } from './report.js';
import { Roles } from './roles.js';
import { ensureStack } from './stack.js';
import { benchBackfill } from './scenarios/backfill.js';
import { benchBacktest } from './scenarios/backtest.js';
import { benchFloor } from './scenarios/floor.js';
import { benchBetfairDecode } from './scenarios/betfair-decode.js';
import { benchLatency } from './scenarios/latency.js';
import { benchPassthrough } from './scenarios/passthrough.js';
import { benchPipeline } from './scenarios/pipeline.js';
import { benchSinkVsCopy } from './scenarios/sink-copy.js';
import { benchSinkEmbedded } from './scenarios/sink-embedded.js';
import { benchSameShape } from './scenarios/same-shape.js';

/** What to undo if the run is interrupted, last registered first. */
const undo: (() => Promise<void>)[] = [];

function onSignal(signal: NodeJS.Signals): void {
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.once('SIGINT', () => process.exit(130));
  progress(
    'bench',
    `${signal}: stopping the role processes and removing this run's data (again to leave it)`,
  );
  void (async () => {
    for (const step of undo.reverse()) await step().catch((err: Error) => progress('bench', err.message));
    process.exit(130);
  })();
}

/**
 * Runs `body` with the stack up, once `building` is done too: the two go side by side, since a
 * stack start is mostly JVMs waiting on each other and neither measures anything.
 */
async function withStack(
  options: BenchOptions,
  building: Promise<void>,
  body: () => Promise<void>,
): Promise<void> {
  const [stack, built] = await Promise.allSettled([ensureStack(options.databaseUrl), building]);
  if (stack.status === 'rejected') throw stack.reason;
  const stopStack = stack.value;
  undo.push(stopStack);
  try {
    if (built.status === 'rejected') throw built.reason;
    await body();
  } finally {
    undo.splice(undo.indexOf(stopStack), 1);
    await stopStack();
  }
}

async function scenariosOnStack(options: BenchOptions, results: BenchResult[]): Promise<void> {
  const { scenarios: selected, profile } = options;
  const env: BenchEnv = await createBenchEnv({
    databaseUrl: options.databaseUrl,
    roleNodeArgs: [
      ...roleNodeFlags,
      ...options.roleNodeArgs,
      ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(options.profileDir)}`] : []),
    ],
    metricsDir: options.metricsDir === undefined ? undefined : path.resolve(options.metricsDir),
    partitions: options.partitions,
    roleRuntime: options.tsx ? 'tsx' : 'compiled',
  });
  const cleanup = () => env.cleanup();
  undo.push(cleanup);
  try {
    if (env.metricsDir) await mkdir(env.metricsDir, { recursive: true });
    progress('bench', `topics "${env.topic('')}*", schema ${env.schema}, Redis keys "${env.redisPrefix}*"`);
    if (selected.has('sink_timescale')) results.push(...(await benchSinkVsCopy(env, profile.sink)));
    if (selected.has('sink_embedded'))
      results.push(
        ...(await benchSinkEmbedded(env, {
          ...profile.sinkEmbedded,
          compareUrl: options.compareEmbeddedUrl,
        })),
      );
    const backlog = (['passthrough', 'pipeline', 'client_ab'] as const).some((s) => selected.has(s))
      ? await rawBacklog(env, profile.backlogChanges)
      : undefined;
    if (backlog)
      progress(
        'bench',
        `backlog: ${backlog.books.length} raw books (${Math.round(backlog.meanValueBytes)} bytes each on average) + ${backlog.results.length} results`,
      );
    if (backlog && selected.has('passthrough'))
      results.push(...(await benchPassthrough(env, profile.passthrough, backlog.messages)));
    // Its own topics, removed when it ends: the pipeline still finds odds.raw holding only the
    // backlog. Loaded only when asked for: @platformatic/kafka is a devDependency, which the other
    // scenarios do not need.
    if (backlog && selected.has('client_ab')) {
      const { benchClientAb } = await import('./scenarios/client-ab.js');
      results.push(...(await benchClientAb(env, profile.clientAb, backlog.messages)));
    }
    if (selected.has('floor')) results.push(...(await benchFloor(env, profile.floor)));
    if (needsRoles(selected))
      await roleScenarios(env, options, results, selected.has('pipeline') ? backlog : undefined);
    // Last: backfill publishes to this run's odds.raw, which the pipeline scenario must find holding
    // only its own backlog.
    if (selected.has('backfill')) results.push(...(await benchBackfill(env, profile.backfill)));
    if (selected.has('backtest')) results.push(...(await benchBacktest(env, profile.backtest)));
  } finally {
    progress('bench', 'removing this run’s topics, subjects, groups, schema and Redis keys');
    undo.splice(undo.indexOf(cleanup), 1);
    await cleanup().catch((err: Error) => progress('bench', err.message));
  }
}

/** Whether the scenarios start role processes (`oddsflow run --role …`). */
const needsRoles = (scenarios: ReadonlySet<string>): boolean =>
  scenarios.has('pipeline') || scenarios.has('latency');

async function roleScenarios(
  env: BenchEnv,
  options: BenchOptions,
  results: BenchResult[],
  backlog: Awaited<ReturnType<typeof rawBacklog>> | undefined,
): Promise<void> {
  const roles = new Roles(env);
  /** The same shape's stages, stopping while the latency scenario starts its roles. */
  let stages: Promise<void> = Promise.resolve();
  const stopRoles = () => roles.stopAll();
  undo.push(stopRoles);
  try {
    if (backlog) {
      const pipeline = await benchPipeline(env, roles, backlog);
      results.push(...pipeline.results);
      // The same shape runs alone, as the pipeline did.
      await Promise.all([roles.stop('processors'), roles.stop('sinks')]);
      const shape = await benchSameShape(
        env,
        backlog.books.length + backlog.results.length,
        pipeline.written,
      );
      results.push(...shape.results);
      stages = shape.stopped;
    }
    if (options.scenarios.has('latency'))
      results.push(...(await benchLatency(env, roles, options.profile.latency)));
  } finally {
    await stages;
    undo.splice(undo.indexOf(stopRoles), 1);
    await roles.stopAll();
  }
  for (const [role, mib] of roles.peakMiB)
    results.push({ name: `rss_${role}`, value: Math.round(mib), unit: 'MiB' });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(usage + '\n');
    return;
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  progress('bench', `${options.quick ? 'quick' : 'full'} run of ${[...options.scenarios].join(', ')}`);
  const results: BenchResult[] = [];
  const decode = () => {
    if (options.scenarios.has('betfair_decode')) results.push(...benchBetfairDecode(options.profile.decode));
  };
  if ([...options.scenarios].some((s) => s !== 'betfair_decode')) {
    const building = !options.tsx && needsRoles(options.scenarios) ? buildDist() : Promise.resolve();
    // The decode after the build and the stack start: it measures this process alone.
    await withStack(options, building, async () => {
      decode();
      await scenariosOnStack(options, results);
    });
  } else decode();

  const report = buildReport(results);
  const file = path.join(packageRoot, 'bench/results.json');
  await writeFile(file, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(formatTable(report) + '\n');
  progress('bench', `done in ${elapsedSeconds().toFixed(0)} s; wrote ${path.relative(process.cwd(), file)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof BenchUsageError) {
      process.stderr.write(`bench: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
