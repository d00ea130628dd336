import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createConsumer, createProducer } from '../../src/core/kafka/client.js';
import type { BenchEnv } from '../env.js';
import { startPacer } from '../../src/core/sim/pacer.js';
import { progress } from '../progress.js';
import type { RedisLatencyProbe } from '../redis-latency.js';
import type { BenchResult } from '../report.js';
import { round1, summarize } from '../stats.js';
import type { LatencyLoad } from './latency.js';

/**
 * The floor under `latency_<load>`: the same offered load through one bare hop — the project's
 * idempotent acks=all producer, one topic with the pipeline's partitions, a consumer group
 * reading committed records, an HSET per record in one Redis pipeline per batch — measured by
 * the same probe on hashes of the same shape (`{"t":<ms>}` values). What the pipeline adds on top
 * (the connector, two transactional stages, the sink) is the difference.
 */
export async function benchLatencyBaseline(
  env: BenchEnv,
  probe: RedisLatencyProbe,
  load: LatencyLoad,
  markets: number,
  sampledMarkets: number,
): Promise<BenchResult[]> {
  const scenario = `baseline ${load.perSecond}/s`;
  const topic = env.topic('latency-baseline');
  const admin = env.kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: env.config.topics.partitions }],
  });
  await admin.disconnect();

  const hashOf = (market: number) => `${env.redisPrefix}baseline:${market}`;
  const redis = new Redis(env.config.redisUrl, { maxRetriesPerRequest: 2 });
  const producer = createProducer(env.kafka);
  const consumer = createConsumer(env.kafka, `${env.topic('')}latency-baseline`, env.config.kafka);
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const writes = redis.pipeline();
      for (const m of batch.messages) writes.hset(hashOf(Number(m.key)), 'book', m.value!);
      await writes.exec();
    },
  });

  let next = 0;
  let sending = Promise.resolve();
  const pacer = startPacer((count) => {
    const messages = Array.from({ length: count }, () => {
      const market = next++ % markets;
      return { key: String(market), value: `{"t":${Date.now()}}` };
    });
    // One send at a time, as the connector's publisher does; a slow send delays the next batch.
    sending = sending.then(() => producer.send({ topic, messages }).then(() => undefined));
  });
  try {
    pacer.setRate(load.perSecond);
    progress(scenario, `producing ${load.perSecond} records/s; warming up ${load.warmupSeconds} s`);
    await sleep(1_000);
    probe.watch(
      'baseline',
      Array.from({ length: Math.min(sampledMarkets, markets) }, (_, i) => hashOf(i)),
    );
    await sleep(load.warmupSeconds * 1000);
    const from = Date.now();
    await sleep(load.seconds * 1000);
    const samples = summarize(
      probe
        .samples(from)
        .filter((s) => s.kind === 'baseline')
        .map((s) => s.ms),
    );
    progress(
      scenario,
      `${samples.count} samples, p50 ${samples.p50.toFixed(1)} ms, p99 ${samples.p99.toFixed(1)} ms`,
    );
    const n = `latency_baseline_${load.perSecond}`;
    return [
      { name: `${n}_p50`, value: round1(samples.p50), unit: 'ms' },
      { name: `${n}_p99`, value: round1(samples.p99), unit: 'ms' },
    ];
  } finally {
    pacer.stop();
    await sending.catch(() => undefined);
    await consumer.disconnect();
    await producer.disconnect();
    await redis.quit();
  }
}
