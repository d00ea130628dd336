import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type Config } from '../config/load.js';
import type { Env } from '../../core/config/load.js';
import { createKafka } from '../../core/kafka/client.js';
import { componentLogger, type Logger } from '../../core/logger.js';
import { collectProcessMetrics, createMetrics, type Metrics } from '../../core/metrics.js';
import { measureLag } from '../ops/lag.js';
import {
  createRoleContext,
  provision,
  readinessOf,
  type RoleContext,
  type RunningRole,
} from '../roles/context.js';
import { startConnectors } from '../roles/connectors.js';
import { startProcessors } from '../roles/processors.js';
import { startSinks } from '../roles/sinks.js';
import { createDatabasePool, createRedisClient } from '../roles/stores.js';
import { startHealthServer, type HealthServer } from '../../core/health/server.js';
import { startSimulators, type Simulators } from '../sim/simulators.js';
import { stackDown, stackUp } from '../../../stack/index.js';
import { StoreError } from '../../core/errors.js';
import type { ServiceName } from '../../../stack/services.js';
import { countKeys, countRows, deleteKeys, resetDemoTopics } from './demo-data.js';
import type { LogTally } from './log-file.js';
import { startDemoView, type DemoView } from './view-loop.js';

export const demoPrefix = 'demo.';
export const demoSchema = 'demo';
export const demoRedisPrefix = 'demo:';

export interface DemoSummary {
  topics: Record<string, number>;
  timescale: Record<string, number>;
  redis: { keys: number };
  /** Arbitrages after commission that opened (the simulators make a few on purpose), by kind. */
  arbitrages: Record<string, number>;
  deadLetters: number;
  /** Dead letters by `stage/reason` (the demo runs the simulators without faults: normally none). */
  deadLetterReasons: Record<string, number>;
  recordsPerSecond: number;
  seconds: number;
}

export interface DemoOptions {
  durationSeconds: number | undefined;
  interactive: boolean;
  say: (line: string) => void;
  /** Resolves when the user asks to stop (Ctrl-C). */
  stopRequested: Promise<void>;
  /** When logs go to a file instead of the terminal: what the live view says about them. */
  logTally?: LogTally | undefined;
}

async function counterSum(
  metrics: Metrics,
  name: 'deadLetters' | 'recordsWritten' | 'arbitrageOpened',
  label?: string,
): Promise<Record<string, number> & { total: number }> {
  const values = (await metrics[name].get()).values;
  const out: Record<string, number> & { total: number } = { total: 0 };
  for (const v of values) {
    out.total += v.value;
    const key = label ? String(v.labels[label as keyof typeof v.labels]) : 'total';
    if (key !== 'total') out[key] = (out[key] ?? 0) + v.value;
  }
  return out;
}

/** Waits until every demo consumer group has read everything (or the time is up). */
async function drain(ctx: RoleContext, say: (line: string) => void, timeoutMs: number): Promise<void> {
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    const groups = Object.values(ctx.groups);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lag = (await measureLag(admin, { groups, now: Date.now(), horizonMs: 60_000 })).reduce(
        (sum, r) => sum + r.lag,
        0,
      );
      if (lag === 0) return;
      if (Date.now() > deadline) {
        say(`demo: ${lag} records still unread after ${timeoutMs / 1000} s; summarising anyway`);
        return;
      }
      await sleep(500);
    }
  } finally {
    await admin.disconnect();
  }
}

/** Stops a role, waiting at most `ms`: a stuck write must not keep the demo from ending. */
async function stopWithin(role: RunningRole, ms: number, say: (line: string) => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const outcome = await Promise.race([role.stop().then(() => 'stopped' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') say(`demo: the ${role.name} role did not stop within ${ms / 1000} s; leaving it`);
}

/** The stores' counts for the summary, or a clear error if the database does not answer. */
async function countRowsWithin(config: Config, logger: Logger, ms: number): Promise<Record<string, number>> {
  const pool = createDatabasePool(config, componentLogger(logger, 'demo'));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new StoreError(
            'DATABASE_UNAVAILABLE',
            `the database did not answer the summary's counts within ${ms / 1000} s`,
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([countRows(pool, demoSchema), late]);
  } finally {
    clearTimeout(timer);
    void pool.end().catch(() => undefined);
  }
}

/**
 * `npm run demo`: the local stack if nothing is configured, every connector's simulator, and
 * every role in this process, under the `demo.` topic prefix, `demo` schema and `demo:` Redis
 * prefix (reset at each start, so the summary is this run's). Stops everything it started.
 */
export async function runDemo(baseEnv: Env, logger: Logger, options: DemoOptions): Promise<DemoSummary> {
  const base = loadConfig(baseEnv);
  const { say } = options;
  let stackStarted: ServiceName[] = [];
  const configuredElsewhere = base.explicit.kafka && base.explicit.registry && base.explicit.database;
  if (!configuredElsewhere) {
    say('demo: bringing up the local stack (Kafka, schema registry, TimescaleDB, Redis)');
    stackStarted = (await stackUp(base, (line) => say(`  ${line}`))).started;
  }

  let simulators: Simulators | undefined;
  const roles: RunningRole[] = [];
  let view: DemoView | undefined;
  let health: HealthServer | undefined;
  try {
    simulators = await startSimulators();
    const config: Config = loadConfig({
      ...baseEnv,
      ...simulators.connectorSettings,
      ODDSFLOW_TOPIC_PREFIX: demoPrefix,
      ODDSFLOW_DB_SCHEMA: demoSchema,
      ODDSFLOW_REDIS_KEY_PREFIX: demoRedisPrefix,
      ODDSFLOW_INSTANCE_ID: 'demo',
    });
    const metrics = createMetrics();
    collectProcessMetrics(metrics);
    const ctx = createRoleContext(config, logger, metrics);

    say('demo: resetting the demo topics, schema and Redis keys of an earlier run');
    const admin = createKafka(config.kafka, { logger }).admin();
    await admin.connect();
    await resetDemoTopics(admin, demoPrefix).finally(() => admin.disconnect());
    const redis = createRedisClient(config, componentLogger(logger, 'demo'));
    await deleteKeys(redis, demoRedisPrefix);
    const pool = createDatabasePool(config, componentLogger(logger, 'demo'));
    await pool.query(`DROP SCHEMA IF EXISTS ${demoSchema} CASCADE`);
    await pool.end();
    await provision(ctx);

    roles.push(await startSinks(ctx), await startProcessors(ctx), await startConnectors(ctx));
    health = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      metrics,
      readiness: readinessOf(ctx, roles),
    });
    say(
      `demo: running; metrics at http://127.0.0.1:${health.port}/metrics; topics under "${demoPrefix}" (ODDSFLOW_TOPIC_PREFIX=${demoPrefix} oddsflow tail odds.pricing)`,
    );
    const began = Date.now();
    view = await startDemoView(ctx, redis, {
      interactive: options.interactive,
      say,
      logTally: options.logTally,
    });

    const timer =
      options.durationSeconds === undefined
        ? new Promise<never>(() => undefined)
        : sleep(options.durationSeconds * 1000);
    await Promise.race([timer, options.stopRequested]);
    const seconds = (Date.now() - began) / 1000;
    await view.stop();
    view = undefined;

    say('demo: stopping the connectors, letting the pipeline drain');
    const connectors = roles.pop()!;
    await connectors.stop();
    await drain(ctx, say, 30_000);
    while (roles.length > 0) await stopWithin(roles.pop()!, 30_000, say);

    const written = await counterSum(metrics, 'recordsWritten', 'topic');
    const topics: Record<string, number> = {};
    for (const name of Object.values(ctx.names)) topics[name] = written[name] ?? 0;
    const timescale = await countRowsWithin(config, logger, 30_000);
    const keys = await countKeys(redis, demoRedisPrefix);
    await redis.quit();
    const processed =
      (await metrics.stageRecords.get()).values.find(
        (v) => v.labels.stage === 'prepare' && v.labels.direction === 'in',
      )?.value ?? 0;
    return {
      topics,
      timescale,
      redis: { keys },
      arbitrages: await counterSum(metrics, 'arbitrageOpened', 'kind'),
      deadLetters: (await counterSum(metrics, 'deadLetters')).total,
      deadLetterReasons: Object.fromEntries(
        (await metrics.deadLetters.get()).values
          .filter((v) => v.value > 0)
          .map((v) => [`${v.labels.stage}/${v.labels.reason}`, v.value]),
      ),
      recordsPerSecond: Math.round((processed / seconds) * 10) / 10,
      seconds: Math.round(seconds),
    };
  } finally {
    await view?.stop().catch(() => undefined);
    for (const role of roles.reverse()) await role.stop().catch(() => undefined);
    await health?.close();
    await simulators?.stop();
    if (stackStarted.length > 0) {
      say(`demo: stopping the stack services it started (${stackStarted.join(', ')})`);
      await stackDown(base, (line) => say(`  ${line}`), stackStarted);
    }
  }
}
