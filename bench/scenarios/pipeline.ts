import { setTimeout as sleep } from 'node:timers/promises';
import { openKafkaPublisher } from '../../connectors/runtime/kafka-publisher.js';
import { createMetrics } from '../../src/core/metrics.js';
import type { RawBacklog } from '../backlog.js';
import { cpuMsExceptBench, cpuShares, cpuSnapshot, formatShares, type CpuSnapshot } from '../cpu.js';
import type { BenchEnv } from '../env.js';
import { progress } from '../progress.js';
import type { BenchResult } from '../report.js';
import { sumSamples } from '../prometheus.js';
import { counters, scrapeRole, totalLag, type Counters, type Roles } from '../roles.js';
import { perSecond } from '../stats.js';

/** Publishes the backlog through the connector's own Kafka publisher, 500 books a send. */
async function publishBacklog(env: BenchEnv, backlog: RawBacklog): Promise<void> {
  const publisher = await openKafkaPublisher(env.kafka, {
    serde: env.serde,
    names: env.names,
    metrics: createMetrics(),
    clock: { now: () => Date.now() },
  });
  try {
    for (let i = 0; i < backlog.books.length; i += 500)
      await publisher.publishBooks(backlog.books.slice(i, i + 500));
    await publisher.publishResults(backlog.results);
  } finally {
    await publisher.close();
  }
}

/**
 * Saturation: the backlog is on odds.raw before the processors and sinks start; from the first
 * record the processors read to the last one the sinks wrote (every group having committed
 * everything), raw records per second through validate → normalize → enrich and into
 * TimescaleDB and Redis.
 */
export async function benchPipeline(
  env: BenchEnv,
  roles: Roles,
  backlog: RawBacklog,
): Promise<{ results: BenchResult[]; written: (topic: string) => number }> {
  const scenario = 'pipeline';
  const total = backlog.books.length + backlog.results.length;
  progress(
    scenario,
    `publishing the backlog: ${backlog.books.length} books + ${backlog.results.length} results to odds.raw/results.raw`,
  );
  await publishBacklog(env, backlog);
  await roles.ensure('sinks');
  await roles.ensure('processors');
  let start: (Counters & { at: number; cpu: CpuSnapshot }) | undefined;
  let last: Counters | undefined;
  let lastMoved = { at: performance.now(), cpu: cpuSnapshot(roles.pids()) };
  let lastReport = 0;
  for (;;) {
    const c = await counters(roles);
    const at = performance.now();
    if (start === undefined && c.prepareIn > 0) start = { at, cpu: cpuSnapshot(roles.pids()), ...c };
    const moved =
      last === undefined ||
      c.prepareIn !== last.prepareIn ||
      c.timescale !== last.timescale ||
      c.redis !== last.redis;
    last = c;
    // Done once everything is read and committed, and the sinks' counts have settled (a sink
    // commits its offsets a moment before it counts the batch).
    if (start !== undefined && !moved && c.prepareIn >= total && (await totalLag(env)) === 0) {
      const ms = lastMoved.at - start.at;
      const rate = perSecond(total - start.prepareIn, ms);
      const sinkRecords = c.timescale + c.redis - start.timescale - start.redis;
      progress(scenario, `CPU (cores) while draining: ${formatShares(cpuShares(start.cpu, lastMoved.cpu))}`);
      progress(
        scenario,
        `drained ${total} raw records in ${(ms / 1000).toFixed(1)} s: ${Math.round(rate)} raw records/s; sinks wrote ${c.timescale} (timescale) and ${c.redis} (redis) records`,
      );
      // Kafka messages per raw record: the raw one, what the processors wrote, and what the
      // processors (raw, normalized) and the two sinks (normalized, pricing each) read.
      const messages = (total + c.processorsWrote + c.prepareIn + c.enrichIn + c.timescale + c.redis) / total;
      progress(
        scenario,
        `per raw record the processors wrote ${(c.processorsWrote / total).toFixed(2)} records; Kafka carried about ${messages.toFixed(1)} messages in and out (passthrough: 2)`,
      );
      // Every process's CPU (roles, broker, registry, PostgreSQL, Redis) per raw record drained.
      const cpuUs = (cpuMsExceptBench(start.cpu, lastMoved.cpu) * 1000) / (total - start.prepareIn);
      // What the processors wrote to each topic, from their own count: the same shape's input.
      const processorsMetrics = await scrapeRole(roles, 'processors');
      const written = (topic: string) =>
        sumSamples(processorsMetrics, 'oddsflow_records_written_total', { topic });
      const results: BenchResult[] = [
        { name: 'pipeline', value: Math.round(rate), unit: 'records/s' },
        { name: 'cpu_us_per_record', value: Math.round(cpuUs), unit: 'µs' },
        {
          name: 'pipeline_kafka_messages_per_record',
          value: Math.round(messages * 10) / 10,
          unit: 'messages',
        },
        { name: 'pipeline_sink_records', value: Math.round(perSecond(sinkRecords, ms)), unit: 'records/s' },
      ];
      return { results, written };
    }
    if (moved) lastMoved = { at, cpu: cpuSnapshot(roles.pids()) };
    if (at - lastMoved.at > 60_000) {
      throw new Error(
        `pipeline: nothing moved for a minute: processors read ${c.prepareIn}/${total}, lag ${await totalLag(env)}`,
      );
    }
    if (at - lastReport > 3_000) {
      lastReport = at;
      progress(
        scenario,
        `processors read ${c.prepareIn}/${total}; sinks wrote ${c.timescale} (timescale), ${c.redis} (redis)`,
      );
    }
    await sleep(250);
  }
}
