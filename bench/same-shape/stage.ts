/**
 * One process of the same-shape passthrough (bench/scenarios/same-shape.ts), started as a role
 * process is: `processors` runs two transactional copy loops shaped like prepare and enrich,
 * `sinks` runs two consumer groups shaped like the TimescaleDB and Redis sinks that only commit.
 * Nothing is decoded or computed: each input record is answered by as many recorded pipeline
 * output messages (their real keys and bytes) as the pipeline wrote per input on average.
 * Writes `{"ready":true}` on stdout once its consumers run, and `{"firstBatchAt":<epoch ms>}` when
 * its first batch arrives (the copy's start, as the pipeline's is its first record read, not the
 * groups' joining); stops on SIGTERM.
 */
import type { Consumer, EachBatchPayload, KafkaMessage, Message, Producer } from 'kafkajs';
import {
  createConsumer,
  createKafka,
  createProducer,
  transactionalRetry,
} from '../../src/core/kafka/client.js';
import { splitBySize } from '../../src/core/kafka/encode.js';
import { committedOffsets, MarkerCommits, nextOffset } from '../../src/core/kafka/offsets.js';
import { offsetsFrom, readPartitions } from '../../src/core/kafka/read-range.js';
import { loadConfig } from '../../src/app/config/load.js';
import { createLogger } from '../../src/core/logger.js';
import type { SameShapeSpec, ShapedOutput } from './spec.js';

const spec = JSON.parse(process.env.BENCH_SAME_SHAPE ?? '') as SameShapeSpec;
const config = loadConfig(process.env);
const kafka = createKafka(config.kafka, {
  logger: createLogger({ level: 'warn' }),
  clientIdSuffix: `same-shape-${spec.role}`,
});
const consumers: Consumer[] = [];
const producers: Producer[] = [];

let firstBatchSeen = false;
const announceFirstBatch = (): void => {
  if (firstBatchSeen) return;
  firstBatchSeen = true;
  process.stdout.write(JSON.stringify({ firstBatchAt: Date.now() }) + '\n');
};

/** Up to `limit` committed messages of a topic, key and value as the pipeline wrote them. */
async function recorded(topic: string, limit: number): Promise<Message[]> {
  const kept: Message[] = [];
  await readPartitions(kafka, topic, await offsetsFrom(kafka, topic, undefined), (m: KafkaMessage) => {
    if (kept.length < limit) kept.push({ key: m.key, value: m.value });
  });
  return kept;
}

/** Answers each input with `perInput` of the samples on average, cycling through them. */
function shaper(outputs: readonly (ShapedOutput & { samples: Message[] })[]) {
  const owed = outputs.map(() => 0);
  const next = outputs.map(() => 0);
  return (count: number) =>
    outputs
      .map((o, i) => {
        owed[i]! += o.perInput * count;
        const n = Math.floor(owed[i]!);
        owed[i]! -= n;
        const messages = Array.from({ length: o.samples.length === 0 ? 0 : n }, () => {
          const m = o.samples[next[i]! % o.samples.length]!;
          next[i]!++;
          return m;
        });
        return { topic: o.topic, messages };
      })
      .filter((t) => t.messages.length > 0);
}

/** The recorded messages of each output, read before any loop starts (not in the measured time). */
async function shapedBy(outputs: readonly ShapedOutput[]) {
  return shaper(
    await Promise.all(outputs.map(async (o) => ({ ...o, samples: await recorded(o.source, 5_000) }))),
  );
}

/**
 * A consumer of the group, committing past transaction markers as the roles do (MarkerCommits),
 * so that a drained group shows no lag.
 */
async function groupConsumer(group: string, inputs: readonly string[]) {
  // The roles' session and fetch size, so that the shape's batches are the pipeline's.
  const consumer = createConsumer(kafka, group, config.kafka);
  consumers.push(consumer);
  const markers = new MarkerCommits(consumer, () => undefined);
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    void committedOffsets(kafka, group, event.payload.memberAssignment)
      .then((offsets) => offsets.forEach((o) => markers.committed(o.topic, o.partition, o.offset)))
      .catch(() => undefined);
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [...inputs], fromBeginning: true });
  return { consumer, markers };
}

/** A consume → transactional produce loop, one transaction per chunk, a producer per partition. */
async function copyLoop(
  group: string,
  inputs: readonly string[],
  shaped: Awaited<ReturnType<typeof shapedBy>>,
) {
  const byPartition = new Map<string, Producer>();
  const producerFor = async (topic: string, partition: number) => {
    const id = `${group}.${topic}.${partition}`;
    let producer = byPartition.get(id);
    if (producer === undefined) {
      producer = createProducer(kafka, {
        transactionalId: id,
        transactionTimeout: 30_000,
        retry: transactionalRetry,
      });
      byPartition.set(id, producer);
      producers.push(producer);
      await producer.connect();
    }
    return producer;
  };
  const { consumer, markers } = await groupConsumer(group, inputs);
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    // One partition after another, as the processors take theirs.
    eachBatch: async (payload: EachBatchPayload) => {
      announceFirstBatch();
      const { batch } = payload;
      const producer = await producerFor(batch.topic, batch.partition);
      for (let i = 0; i < batch.messages.length; i += spec.chunkRecords) {
        if (!payload.isRunning() || payload.isStale()) return;
        const chunk = batch.messages.slice(i, i + spec.chunkRecords);
        const last = chunk[chunk.length - 1]!.offset;
        const offset = nextOffset(batch, last, i + spec.chunkRecords >= batch.messages.length);
        const transaction = await producer.transaction();
        try {
          for (const send of splitBySize(shaped(chunk.length)))
            await transaction.sendBatch({ topicMessages: send });
          await transaction.sendOffsets({
            consumerGroupId: group,
            topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset }] }],
          });
          await transaction.commit();
        } catch (err) {
          await transaction.abort().catch(() => undefined);
          throw err;
        }
        markers.committed(batch.topic, batch.partition, offset);
        payload.resolveOffset(last);
        await payload.heartbeat();
      }
    },
  });
}

/** A group that reads its topics and commits each chunk, as a sink does after writing it. */
async function commitLoop(group: string, inputs: readonly string[]) {
  const { consumer, markers } = await groupConsumer(group, inputs);
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: config.settings.ODDSFLOW_SINK_PARTITIONS_CONCURRENTLY,
    eachBatch: async (payload: EachBatchPayload) => {
      const { batch } = payload;
      for (let i = 0; i < batch.messages.length; i += spec.sinkBatchRecords) {
        const chunk = batch.messages.slice(i, i + spec.sinkBatchRecords);
        const last = chunk[chunk.length - 1]!.offset;
        const offset = nextOffset(batch, last, i + spec.sinkBatchRecords >= batch.messages.length);
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset }]);
        markers.committed(batch.topic, batch.partition, offset);
        payload.resolveOffset(last);
        await payload.heartbeat();
      }
    },
  });
}

async function main(): Promise<void> {
  if (spec.role === 'processors') {
    const prepare = await shapedBy(spec.prepare.outputs);
    const enrich = await shapedBy(spec.enrich.outputs);
    await copyLoop(spec.prepare.group, spec.prepare.inputs, prepare);
    await copyLoop(spec.enrich.group, spec.enrich.inputs, enrich);
  } else {
    for (const sink of spec.sinks) await commitLoop(sink.group, sink.inputs);
  }
  process.stdout.write(JSON.stringify({ ready: true }) + '\n');
}

process.once('SIGTERM', () => {
  void Promise.allSettled([...consumers.map((c) => c.disconnect())])
    .then(() => Promise.allSettled(producers.map((p) => p.disconnect())))
    .then(() => process.exit(0));
});

main().catch((err: unknown) => {
  process.stderr.write(
    `same-shape ${spec.role}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
