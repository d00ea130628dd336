import {
  compatibilityPartitioner,
  Consumer,
  FetchIsolationLevels,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  Producer,
  type Message,
  type MessagesStream,
} from '@platformatic/kafka';
import { splitBySize } from '../../src/core/kafka/encode.js';
import type { BenchEnv } from '../env.js';
import type { CopySpec } from '../scenarios/passthrough.js';
import { timedCopy, type CopyProgress } from '../timed-copy.js';
import type { AbClient, AbMessage } from './client.js';

type Stream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;

/** kafkajs's default, so that both clients fetch batches of the same size. */
const maxBytesPerPartition = 1_048_576;

/**
 * The retry schedule passthrough gives kafkajs's transactional producer (10 ms doubling up to 2 s).
 * The broker answers CONCURRENT_TRANSACTIONS to the next transaction's first request while it
 * still writes the previous one's markers; with the client's default of 1 s before each retry,
 * most transactions waited a second (16 of 26 in a first run, 955 messages/s against kafkajs's
 * 4,478).
 */
export function transactionRetryDelay(_client: unknown, _operation: string, attempt: number): number {
  return Math.min(2_000, 10 * 2 ** (attempt - 1));
}

/** Messages grouped by partition, in the order each partition first appears, each group in order. */
export function byPartition<M extends { partition: number }>(messages: readonly M[]): M[][] {
  const groups = new Map<number, M[]>();
  for (const message of messages) {
    let group = groups.get(message.partition);
    if (group === undefined) groups.set(message.partition, (group = []));
    group.push(message);
  }
  return [...groups.values()];
}

/** One partition's messages copied to `output` in one transaction, its last offset committed inside. */
async function copyInTransaction(
  producer: Producer,
  consumer: Consumer,
  output: string,
  messages: readonly Message[],
): Promise<void> {
  const transaction = await producer.beginTransaction();
  try {
    await transaction.addConsumer(consumer);
    const copies = messages.map((m): AbMessage => ({ key: m.key, value: m.value }));
    // The same sends as kafkajs's copy: at most 512 KiB each, under the broker's batch limit.
    for (const send of splitBySize([{ topic: output, messages: copies }]))
      await transaction.send({
        messages: send.flatMap(({ topic, messages }) => messages.map((m) => ({ topic, ...m }))),
      });
    await transaction.addOffset(messages.at(-1)!);
    await transaction.commit();
  } catch (err) {
    await transaction.abort().catch(() => undefined);
    throw err;
  }
}

/**
 * Reads the stream as its own async iterator does; what it already holds when the reader catches
 * up (a fetch arrives whole) is a batch, copied partition by partition as kafkajs's eachBatch is.
 */
async function copyLoop(
  stream: Stream,
  consumer: Consumer,
  producer: Producer,
  output: string,
  report: CopyProgress,
  stopping: AbortSignal,
): Promise<void> {
  let batch: Message[] = [];
  for await (const message of stream) {
    batch.push(message);
    if (stream.readableLength > 0) continue;
    report.fetched();
    for (const messages of byPartition(batch)) {
      await copyInTransaction(producer, consumer, output, messages);
      report.copied(messages.length);
    }
    batch = [];
    if (stopping.aborted) return;
  }
}

/**
 * @platformatic/kafka 1.x (pure JavaScript; CRC32C by @node-rs/crc32 where its optional package
 * installed, else WebAssembly) with the settings the project gives kafkajs: idempotent, acks=all,
 * Java's partitioner, committed reads, at most 1 MiB of a partition per fetch.
 */
export function platformaticClient(env: BenchEnv): AbClient {
  const { brokers, ssl, sasl, clientId } = env.config.kafka;
  // The A/B runs on the local stack; passing TLS and SASL on is left until it is needed.
  if (ssl || sasl) throw new Error('client_ab: @platformatic/kafka is set up for a plaintext broker only');
  const connection = { clientId: `${clientId}-bench-platformatic`, bootstrapBrokers: brokers };
  return {
    name: 'platformatic',
    producer: async (topic) => {
      const producer = new Producer({
        ...connection,
        idempotent: true,
        partitioner: compatibilityPartitioner,
      });
      // As kafkajs's connect: the producer id first, outside the timed sends.
      await producer.initIdempotentProducer({});
      return {
        send: async (messages) => {
          await producer.send({ messages: messages.map((m) => ({ topic, key: m.key, value: m.value })) });
        },
        close: () => producer.close(),
      };
    },
    copy: (scenario: string, spec: Required<CopySpec>) =>
      timedCopy(scenario, spec.count, async (report) => {
        const producer = new Producer({
          ...connection,
          idempotent: true,
          transactionalId: spec.transactionalId,
          partitioner: compatibilityPartitioner,
          retryDelay: transactionRetryDelay,
        });
        const consumer = new Consumer({
          ...connection,
          groupId: spec.groupId,
          autocommit: false,
          isolationLevel: FetchIsolationLevels.READ_COMMITTED,
          maxBytesPerPartition,
        });
        const stream: Stream = await consumer.consume({
          topics: [spec.input],
          mode: MessagesStreamModes.COMMITTED,
          fallbackMode: MessagesStreamFallbackModes.EARLIEST,
          autocommit: false,
        });
        const stopping = new AbortController();
        const loop = copyLoop(stream, consumer, producer, spec.output, report, stopping.signal).catch(
          (err: unknown) => {
            if (!stopping.signal.aborted) report.failed(err);
          },
        );
        return async () => {
          stopping.abort();
          await stream.close();
          await loop;
          await consumer.close();
          await producer.close();
        };
      }),
  };
}
