import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Admin, Consumer } from 'kafkajs';
import { describeError } from '../../core/errors.js';
import type { Metrics } from '../../core/metrics.js';
import { measureLag } from '../ops/lag.js';
import type { RoleContext } from '../roles/context.js';
import { countKeys } from './demo-data.js';
import type { LogTally } from './log-file.js';
import { renderView, type ViewSnapshot } from './live-view.js';
import { MarketBoard } from './market-board.js';

export interface DemoView {
  stop(): Promise<void>;
}

const breakerNames = ['closed', 'half-open', 'open'] as const;

type MetricValue = {
  labels: Record<string, string | number | undefined>;
  value: number;
  metricName?: string;
};

function sum(values: readonly MetricValue[], match: Record<string, string>, metricName?: string): number {
  return values
    .filter(
      (v) =>
        (metricName === undefined || v.metricName === metricName) &&
        Object.entries(match).every(([k, want]) => String(v.labels[k]) === want),
    )
    .reduce((total, v) => total + v.value, 0);
}

/** Records written by each sink: the sum of its batch sizes. */
async function sinkRecords(metrics: Metrics, component: string): Promise<number> {
  return sum((await metrics.batchSize.get()).values, { component }, 'oddsflow_batch_size_sum');
}

/**
 * The demo's live view: what a trading bot subscribed to odds.pricing sees (a MarketBoard fed by a
 * read-committed consumer), plus throughput, lag, breakers and dead letters from the process's own
 * metrics. Redrawn in place on a terminal; one line every 5 s otherwise (CI, a pipe).
 */
export async function startDemoView(
  ctx: RoleContext,
  redis: Redis,
  options: { interactive: boolean; say: (line: string) => void; logTally?: LogTally | undefined },
): Promise<DemoView> {
  const board = new MarketBoard();
  const consumer: Consumer = ctx.kafka.consumer({
    groupId: `${ctx.config.topics.prefix}view-${process.pid}`,
    readUncommitted: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: ctx.names.oddsPricing, fromBeginning: false });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      board.update(await ctx.serde.decode('oddsPricing', message.value ?? Buffer.alloc(0)));
    },
  });
  const admin: Admin = ctx.kafka.admin();
  await admin.connect();

  const m = ctx.metrics;
  const started = Date.now();
  const counters = {
    connectors: async () => sum((await m.recordsWritten.get()).values, { topic: ctx.names.oddsRaw }),
    prepare: async () => sum((await m.stageRecords.get()).values, { stage: 'prepare', direction: 'in' }),
    enrich: async () => sum((await m.stageRecords.get()).values, { stage: 'enrich', direction: 'in' }),
    timescale: () => sinkRecords(m, 'timescale'),
    redis: () => sinkRecords(m, 'redis'),
  };
  let previous: Record<string, number> = {};
  let lag: ViewSnapshot['lag'] = [];
  let redisKeys: number | null = null;
  let tick = 0;

  const refresh = async (): Promise<void> => {
    tick++;
    const totals: Record<string, number> = {};
    for (const [name, read] of Object.entries(counters)) totals[name] = await read();
    const rates = Object.entries(totals).map(([name, total]) => ({
      name,
      total,
      perSecond: total - (previous[name] ?? 0),
    }));
    previous = totals;
    if (tick % 5 === 1) {
      lag = (
        await measureLag(admin, { groups: Object.values(ctx.groups), now: Date.now(), horizonMs: 60_000 })
      ).reduce<{ group: string; lag: number }[]>((acc, r) => {
        const entry = acc.find((a) => a.group === r.group);
        if (entry) entry.lag += r.lag;
        else acc.push({ group: r.group, lag: r.lag });
        return acc;
      }, []);
      redisKeys = await countKeys(redis, ctx.config.settings.ODDSFLOW_REDIS_KEY_PREFIX);
    }
    const breakers = (await m.breakerState.get()).values.map((v) => ({
      name: String(v.labels.breaker),
      state: breakerNames[v.value] ?? 'open',
    }));
    const deadLetters = (await m.deadLetters.get()).values.reduce((sum, v) => sum + v.value, 0);
    const arbitragesOpened = (await m.arbitrageOpened.get()).values.reduce((sum, v) => sum + v.value, 0);
    const snapshot: ViewSnapshot = {
      elapsedSeconds: (Date.now() - started) / 1000,
      markets: board.showcase(8),
      rates,
      lag,
      breakers,
      deadLetters,
      arbitragesOpened,
      stores: { timescaleRows: totals.timescale ?? null, redisKeys },
      log: options.logTally && {
        ...options.logTally,
        file: path.relative(process.cwd(), options.logTally.file),
      },
    };
    if (options.interactive)
      process.stdout.write(
        '\x1b[H\x1b[2J' + renderView(snapshot, Math.min(process.stdout.columns || 110, 160)) + '\n',
      );
    else if (tick % 5 === 0) {
      options.say(
        `demo ${snapshot.elapsedSeconds.toFixed(0)} s: ` +
          rates.map((r) => `${r.name} ${r.total}`).join(', ') +
          `; markets ${board.size} (${board.joinedCount} quoted by several providers); arbitrages opened ${arbitragesOpened}; dead letters ${deadLetters}; lag ${lag.map((l) => l.lag).reduce((a, b) => a + b, 0)}`,
      );
    }
  };

  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    refresh()
      .catch((err: unknown) => ctx.logger.debug({ err: describeError(err) }, 'demo view refresh failed'))
      .finally(() => (running = false));
  }, 1000);

  return {
    async stop() {
      clearInterval(timer);
      await consumer.disconnect();
      await admin.disconnect();
    },
  };
}
