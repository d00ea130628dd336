import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { startBetfairSimulator } from '../../connectors/betfair/simulator.js';
import { cpuShares, cpuSnapshot, formatShares } from '../cpu.js';
import type { BenchEnv } from '../env.js';
import { startPacer } from '../../src/core/sim/pacer.js';
import { progress } from '../progress.js';
import { scrape, sumSamples } from '../prometheus.js';
import { startRedisLatencyProbe, type RedisLatencyProbe } from '../redis-latency.js';
import type { BenchResult } from '../report.js';
import { counters, totalLag, type Roles } from '../roles.js';
import { StartupBacklog } from '../startup-backlog.js';
import { benchLatencyBaseline } from './latency-baseline.js';
import { perSecond, round1, summarize } from '../stats.js';

export interface LatencyLoad {
  /** Betfair market changes per second, over all markets. */
  perSecond: number;
  warmupSeconds: number;
  seconds: number;
  /** Prefix of this load's result names. */
  name: string;
}

export interface LatencyOptions {
  /** Run in this order: a load the pipeline keeps up with first, so the next does not start behind. */
  loads: readonly LatencyLoad[];
  markets: number;
  /** Markets whose Redis hashes the probe polls (every market behaves alike). */
  sampledMarkets: number;
  /** Pause between two polls of the probe, ms. */
  pollPauseMs: number;
  /** How long the bare hop beside the first load is measured (a steady figure comes sooner). */
  baselineSeconds: number;
  /** The first load's warm-up goes on while the roles work off their start, up to this in all. */
  startupWarmupMaxSeconds: number;
}

/** Markets (`eventId:marketId`) whose odds hash the sinks wrote at or after `sinceMs`, up to `count`. */
async function recentMarkets(
  redis: Redis,
  prefix: string,
  sinceMs: number,
  count: number,
): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}odds:*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      if (found.length >= count) break;
      const values = await redis.hvals(key);
      const newest = Math.max(0, ...values.map((v) => Number(/^\{"t":(\d+)/.exec(v)?.[1] ?? 0)));
      if (newest >= sinceMs) found.push(key.slice(`${prefix}odds:`.length));
    }
  } while (cursor !== '0' && found.length < count);
  return found;
}

async function connectorChanges(roles: Roles): Promise<number> {
  const connectors = roles.running.get('connectors');
  if (connectors === undefined) return 0;
  return sumSamples(await scrape(connectors.httpPort), 'oddsflow_connector_messages_total', {
    outcome: 'ok',
  });
}

/**
 * The first load's warm-up: `warmupSeconds`, then on until every group's lag has come down to half
 * its peak or less and made no new low (a tenth under the last) for 3 s, up to `maxSeconds` in all.
 * The roles start with the connector's first image of every market and their first compilations;
 * measured from 12 s after the connector started, the running p50 at 200 changes/s fell from
 * 660-940 ms to 200-300 ms over the first 30 s while the backlog shrank by 5,000 records
 * (bench/README.md, "Partitions on one broker"). A load the pipeline keeps up with is measured in
 * its steady state; one it does not keep up with waits the whole `maxSeconds`. Later loads start
 * from a warm pipeline and wait `warmupSeconds` only. Returns the seconds waited and the lag then.
 */
async function warmUpFromStart(
  env: BenchEnv,
  load: LatencyLoad,
  maxSeconds: number,
): Promise<{ seconds: number; lag: number }> {
  const start = Date.now();
  await sleep(load.warmupSeconds * 1000);
  const backlog = new StartupBacklog(await totalLag(env), Date.now());
  while (Date.now() - start < maxSeconds * 1000 && !backlog.settled) {
    await sleep(1_000);
    backlog.observe(await totalLag(env), Date.now());
  }
  return { seconds: (Date.now() - start) / 1000, lag: backlog.lag };
}

/** One load: warm up (up to `maxWarmupSeconds`, see warmUpFromStart), then measure for `seconds`. */
async function measure(
  env: BenchEnv,
  roles: Roles,
  probe: RedisLatencyProbe,
  load: LatencyLoad,
  maxWarmupSeconds: number,
): Promise<BenchResult[]> {
  const scenario = `latency ${load.perSecond}/s`;
  const warm = await warmUpFromStart(env, load, maxWarmupSeconds);
  progress(scenario, `warmed up for ${warm.seconds.toFixed(1)} s; backlog ${warm.lag} records`);
  const from = Date.now();
  const cpuFrom = cpuSnapshot(roles.pids());
  const before = { changes: await connectorChanges(roles), ...(await counters(roles)) };
  const lagBefore = await totalLag(env);
  const odds = () =>
    summarize(
      probe
        .samples(from)
        .filter((s) => s.kind === 'odds')
        .map((s) => s.ms),
    );
  for (let s = 5; s <= load.seconds; s += 5) {
    await sleep(5_000);
    const now = odds();
    progress(
      scenario,
      `${s}/${load.seconds} s: ${now.count} samples, p50 ${now.p50.toFixed(1)} ms, p99 ${now.p99.toFixed(1)} ms`,
    );
  }
  await sleep((load.seconds % 5) * 1000);
  const ms = Date.now() - from;
  const after = { changes: await connectorChanges(roles), ...(await counters(roles)) };
  // Kept up only if the backlog (every group's lag) did not grow over the measurement.
  const lagGrowth = (await totalLag(env)) - lagBefore;
  progress(scenario, `CPU (cores): ${formatShares(cpuShares(cpuFrom, cpuSnapshot(roles.pids())))}`);
  const samples = probe.samples(from);
  const book = summarize(samples.filter((s) => s.kind === 'odds').map((s) => s.ms));
  const pricing = summarize(samples.filter((s) => s.kind === 'pricing').map((s) => s.ms));
  const received = perSecond(after.changes - before.changes, ms);
  const published = perSecond(after.published - before.published, ms);
  const processed = perSecond(after.prepareIn - before.prepareIn, ms);
  progress(
    scenario,
    `connector got ${Math.round(received)} changes/s and published ${Math.round(published)} raw books/s; processors read ${Math.round(processed)}/s; backlog ${lagGrowth >= 0 ? '+' : ''}${lagGrowth} records; ${book.count} odds and ${pricing.count} pricing samples`,
  );
  const n = load.name;
  return [
    { name: `${n}_p50`, value: round1(book.p50), unit: 'ms' },
    { name: `${n}_p95`, value: round1(book.p95), unit: 'ms' },
    { name: `${n}_p99`, value: round1(book.p99), unit: 'ms' },
    { name: `${n}_pricing_p99`, value: round1(pricing.p99), unit: 'ms' },
    { name: `${n}_received`, value: Math.round(received), unit: 'changes/s' },
    { name: `${n}_processed`, value: Math.round(processed), unit: 'records/s' },
    { name: `${n}_backlog_growth`, value: lagGrowth, unit: 'records' },
    { name: `${n}_warmup_seconds`, value: round1(warm.seconds), unit: 's' },
  ];
}

/**
 * End-to-end latency at fixed offered loads: the Betfair simulator, in this process, publishes
 * market changes at the load's rate with the wall clock as publish time (`pt`); the connectors
 * role reads them over TLS; the processors and sinks roles carry them to Redis, where a probe
 * polls some markets' `odds:` and `pricing:` hashes for the newest record time. A sample is the
 * wall clock at which a new newest time was seen minus that time.
 */
export async function benchLatency(
  env: BenchEnv,
  roles: Roles,
  options: LatencyOptions,
): Promise<BenchResult[]> {
  await roles.ensure('sinks');
  await roles.ensure('processors');
  const simulator = await startBetfairSimulator({ seed: 23, markets: options.markets });
  const pacer = startPacer((count) => simulator.tick(count));
  const probe = startRedisLatencyProbe(env.config.redisUrl, options.pollPauseMs);
  const redis = new Redis(env.config.redisUrl, { maxRetriesPerRequest: 2 });
  try {
    progress(
      'latency',
      `simulator: ${options.markets} markets over ${simulator.tls ? 'TLS' : 'TCP'} on :${simulator.port}; loads ${options.loads.map((l) => `${l.perSecond}/s`).join(', ')}`,
    );
    const results: BenchResult[] = [];
    const first = options.loads[0];
    if (first !== undefined)
      results.push(
        ...(await benchLatencyBaseline(
          env,
          probe,
          { ...first, seconds: options.baselineSeconds },
          options.markets,
          options.sampledMarkets,
        )),
      );
    const startedAt = Date.now();
    await roles.start('connectors', {
      ODDSFLOW_CONNECTORS: 'betfair',
      ODDSFLOW_CONNECTOR_BETFAIR: JSON.stringify(simulator.connectorConfig()),
    });
    pacer.setRate(options.loads[0]?.perSecond ?? 0);
    let markets: string[] = [];
    while (markets.length < options.sampledMarkets && Date.now() - startedAt < 60_000) {
      await sleep(500);
      markets = await recentMarkets(redis, env.redisPrefix, startedAt, options.sampledMarkets);
    }
    if (markets.length === 0) throw new Error('latency: nothing reached Redis within a minute');
    probe.watch(
      'odds',
      markets.map((m) => `${env.redisPrefix}odds:${m}`),
    );
    probe.watch(
      'pricing',
      markets.map((m) => `${env.redisPrefix}pricing:${m}`),
    );
    progress('latency', `probe watches ${markets.length} markets' odds and pricing hashes`);
    for (const [i, load] of options.loads.entries()) {
      pacer.setRate(load.perSecond);
      const maxSeconds = i === 0 ? options.startupWarmupMaxSeconds : load.warmupSeconds;
      progress(
        `latency ${load.perSecond}/s`,
        `offering ${load.perSecond} changes/s; warming up ${load.warmupSeconds}${maxSeconds > load.warmupSeconds ? `-${maxSeconds}` : ''} s`,
      );
      results.push(...(await measure(env, roles, probe, load, maxSeconds)));
    }
    results.push({ name: 'latency_probe_resolution', value: round1(probe.meanPollMs()), unit: 'ms' });
    return results;
  } finally {
    pacer.stop();
    await roles.stop('connectors');
    await probe.stop();
    await redis.quit();
    await simulator.stop();
  }
}
