import type { EachBatchPayload, Message, Producer } from 'kafkajs';
import { createProducer, transactionalRetry } from '../../src/core/kafka/client.js';
import { splitBySize } from '../../src/core/kafka/encode.js';
import type { BenchEnv } from '../env.js';
import { progress } from '../progress.js';
import type { BenchResult } from '../report.js';
import { perSecond, summarize } from '../stats.js';
import { timedCopy, type CopyTiming } from '../timed-copy.js';

export interface PassthroughOptions {
  messages: number;
  /** Each copy runs this many times (alternating, each with a fresh group); the median counts. */
  repeats: number;
}

type Copy = (payload: EachBatchPayload, output: string) => Promise<void>;

/** Re-produces the batch, then lets kafkajs resolve and auto-commit its offsets. */
const bareCopy =
  (producer: Producer): Copy =>
  async ({ batch }, output) => {
    const messages = batch.messages.map((m) => ({ key: m.key, value: m.value }));
    for (const send of splitBySize([{ topic: output, messages }]))
      await producer.sendBatch({ topicMessages: send });
  };

/** The processors' shape: one transaction per partition batch, offsets committed inside it. */
const transactionalCopy =
  (producer: Producer, groupId: string): Copy =>
  async (payload, output) => {
    const { batch } = payload;
    const messages = batch.messages.map((m) => ({ key: m.key, value: m.value }));
    const transaction = await producer.transaction();
    try {
      for (const send of splitBySize([{ topic: output, messages }]))
        await transaction.sendBatch({ topicMessages: send });
      await transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }],
          },
        ],
      });
      await transaction.commit();
    } catch (err) {
      await transaction.abort().catch(() => undefined);
      throw err;
    }
    payload.resolveOffset(batch.lastOffset());
  };

/** Where a copy reads and writes; a `transactionalId` makes it the transactional copy. */
export interface CopySpec {
  input: string;
  output: string;
  groupId: string;
  count: number;
  transactionalId?: string;
}

/**
 * A kafkajs consumer group (committed records only) copying `spec.count` messages with the
 * project's producer: bare sends and auto-commit, or, with a transactional id, the processors'
 * loop (one transaction per partition batch, its offsets inside).
 */
export function kafkajsCopy(env: BenchEnv, scenario: string, spec: CopySpec): Promise<CopyTiming> {
  const transactional = spec.transactionalId !== undefined;
  return timedCopy(scenario, spec.count, async (report) => {
    const producer = transactional
      ? createProducer(env.kafka, {
          transactionalId: spec.transactionalId,
          transactionTimeout: 30_000,
          retry: transactionalRetry,
        })
      : createProducer(env.kafka);
    const copy = transactional ? transactionalCopy(producer, spec.groupId) : bareCopy(producer);
    const consumer = env.kafka.consumer({ groupId: spec.groupId, readUncommitted: false });
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: spec.input, fromBeginning: true });
    await consumer.run({
      autoCommit: !transactional,
      eachBatchAutoResolve: !transactional,
      eachBatch: async (payload) => {
        report.fetched();
        await copy(payload, spec.output);
        report.copied(payload.batch.messages.length);
      },
    });
    return async () => {
      await consumer.disconnect();
      await producer.disconnect();
    };
  });
}

/** Copies `count` messages from `input` to `output` with a fresh group; records per second. */
async function copyRate(
  env: BenchEnv,
  scenario: string,
  input: string,
  count: number,
  transactional: boolean,
  run: number,
): Promise<number> {
  const { copied, ms } = await kafkajsCopy(env, scenario, {
    input,
    output: env.topic(`${scenario}.out`),
    groupId: env.topic(`${scenario}-group-${run}`),
    count,
    ...(transactional ? { transactionalId: env.topic(`${scenario}-${run}`) } : {}),
  });
  return perSecond(copied, ms);
}

/**
 * The ceiling on this machine: a bare kafkajs consumer group re-producing every fetched batch
 * to another topic (no decoding, no transactions), on messages of odds.raw's size and keys, with
 * the project's producer settings (idempotent, acks=all) and partitions. The same copy in one
 * Kafka transaction per partition batch, as the processors do it, shows what exactly-once costs.
 */
export async function benchPassthrough(
  env: BenchEnv,
  options: PassthroughOptions,
  sample: readonly Message[],
): Promise<BenchResult[]> {
  const input = env.topic('passthrough.in');
  const admin = env.kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: ['passthrough.in', 'passthrough.out', 'passthrough_transactional.out'].map((name) => ({
      topic: env.topic(name),
      numPartitions: env.config.topics.partitions,
    })),
  });
  await admin.disconnect();

  const producer = createProducer(env.kafka);
  await producer.connect();
  progress('passthrough', `producing ${options.messages} messages of odds.raw's size to ${input}`);
  for (let i = 0; i < options.messages; i += 1_000) {
    const messages: Message[] = [];
    for (let j = i; j < Math.min(i + 1_000, options.messages); j++) messages.push(sample[j % sample.length]!);
    for (const send of splitBySize([{ topic: input, messages }]))
      await producer.sendBatch({ topicMessages: send });
  }
  await producer.disconnect();

  const bare: number[] = [];
  const transactional: number[] = [];
  for (let run = 1; run <= options.repeats; run++) {
    bare.push(await copyRate(env, 'passthrough', input, options.messages, false, run));
    progress('passthrough', `run ${run}/${options.repeats}: ${Math.round(bare.at(-1)!)} records/s`);
    transactional.push(await copyRate(env, 'passthrough_transactional', input, options.messages, true, run));
    progress(
      'passthrough_transactional',
      `run ${run}/${options.repeats}: ${Math.round(transactional.at(-1)!)} records/s`,
    );
  }
  return [
    { name: 'passthrough', value: Math.round(summarize(bare).p50), unit: 'records/s' },
    { name: 'passthrough_transactional', value: Math.round(summarize(transactional).p50), unit: 'records/s' },
  ];
}
