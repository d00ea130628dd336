import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { deadLetter } from '../src/dead-letter.js';
import { describeError, isRetriable, OddsflowError } from '../src/errors.js';
import { createConsumer } from '../src/kafka/client.js';
import { countWritten, encodeByTopic } from '../src/kafka/encode.js';
import { watchConsumerCrashes } from '../src/kafka/crash.js';
import type { ConsumerLoop } from '../src/kafka/supervised-loop.js';
import { commitPastControlBatches, nextOffset } from '../src/kafka/offsets.js';
import type { OutputRecord } from '../src/kafka/records.js';
import { topicIds, type TopicNames } from '../src/kafka/topics.js';
import type { Logger } from '../src/logger.js';
import type { Metrics } from '../src/metrics.js';
import { backoffDelay, type BackoffPolicy } from '../src/resilience/backoff.js';
import type { AvroSerde } from '../src/serde/avro-serde.js';
import type { Sink, SinkRecord } from './contract.js';

export interface SinkRunnerDeps {
  kafka: Kafka;
  /** For dead letters of records the store refuses (decoding or data errors). */
  producer: Producer;
  serde: AvroSerde;
  names: TopicNames;
  logger: Logger;
  metrics: Metrics;
  clock: { now(): number };
}

export interface SinkRunnerOptions {
  groupId: string;
  maxBatchRecords: number;
  retry: BackoffPolicy;
}

class StoppedError extends Error {}

/** How long a batch write may take before the sink says it is still waiting for the store. */
const slowWriteMs = 15_000;

/**
 * A consumer group feeding one sink: decode, write a batch, and only then commit its offsets.
 * A store outage holds the partition (heartbeating, so the group keeps it) and retries the same
 * batch with backoff until it succeeds; nothing is committed meanwhile, so nothing is lost. A
 * record the store refuses as data (not an outage) is isolated by halving the batch and
 * dead-lettered with the reason, so one bad record neither blocks nor silently vanishes.
 */
export async function runSink(
  sink: Sink,
  deps: SinkRunnerDeps,
  options: SinkRunnerOptions,
): Promise<ConsumerLoop> {
  const log = deps.logger.child({ component: 'sink', name: sink.name });
  const topicByName = new Map(topicIds.map((id) => [deps.names[id], id] as const));
  const consumer: Consumer = createConsumer(deps.kafka, options.groupId);
  let stopping = false;

  const sendDeadLetters = async (letters: OutputRecord[]): Promise<void> => {
    if (letters.length === 0) return;
    const topicMessages = await encodeByTopic(deps.serde, deps.names, letters);
    await deps.producer.sendBatch({ topicMessages, acks: -1 });
    countWritten(deps.metrics, topicMessages);
    for (const l of letters)
      if (l.topic === 'deadLetters')
        deps.metrics.deadLetters.inc({ stage: 'sink', reason: l.value.reasonCode });
  };

  const letterFor = (
    message: KafkaMessage,
    topic: string,
    partition: number,
    code: string,
    reason: string,
  ): OutputRecord => ({
    topic: 'deadLetters',
    key: message.key?.toString() ?? null,
    value: deadLetter({
      stage: 'sink',
      errors: [{ path: '', code, message: `${sink.name}: ${reason}` }],
      provider: null,
      source: { topic, partition, offset: message.offset },
      key: message.key,
      originalValue: message.value ?? Buffer.alloc(0),
      failedAt: deps.clock.now(),
    }),
  });

  /** Writes, retrying outages forever (until stop); returns the records the store refused as data. */
  const writeDurably = async (
    records: SinkRecord[],
    heartbeat: () => Promise<void>,
  ): Promise<SinkRecord[]> => {
    for (let attempt = 0; ; attempt++) {
      if (stopping) throw new StoppedError();
      // A store that neither answers nor fails leaves no other trace: say so while it lasts.
      const slow = setTimeout(
        () =>
          log.warn(
            `${sink.name}: a batch of ${records.length} records has been writing for ${slowWriteMs / 1000} s`,
          ),
        slowWriteMs,
      );
      try {
        await sink.writeBatch(records);
        if (attempt > 0) log.info({ attempts: attempt + 1 }, `${sink.name}: store back, batch written`);
        return [];
      } catch (err) {
        clearTimeout(slow);
        if (!isRetriable(err)) {
          if (records.length === 1) return records;
          const half = Math.ceil(records.length / 2);
          return [
            ...(await writeDurably(records.slice(0, half), heartbeat)),
            ...(await writeDurably(records.slice(half), heartbeat)),
          ];
        }
        const delay = backoffDelay(attempt, options.retry);
        const line = `${sink.name}: ${describeError(err)}; holding the batch and retrying in ${delay} ms`;
        if (attempt === 0) log.warn({ err }, line);
        else log.debug({ attempt }, line);
        await sleep(delay);
        await heartbeat();
      } finally {
        clearTimeout(slow);
      }
    }
  };

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    const topicId = topicByName.get(batch.topic);
    if (!topicId) throw new Error(`${sink.name}: consumed unknown topic ${batch.topic}`);
    for (let i = 0; i < batch.messages.length; i += options.maxBatchRecords) {
      if (!payload.isRunning() || payload.isStale()) return;
      const started = Date.now();
      const chunk = batch.messages.slice(i, i + options.maxBatchRecords);
      const records: SinkRecord[] = [];
      const letters: OutputRecord[] = [];
      for (const message of chunk) {
        try {
          const value = await deps.serde.decode(topicId, message.value ?? Buffer.alloc(0));
          records.push({
            topic: topicId,
            value,
            key: message.key?.toString() ?? null,
            partition: batch.partition,
            offset: message.offset,
            timestamp: Number(message.timestamp),
          } as SinkRecord);
        } catch (err) {
          if (err instanceof OddsflowError && err.retriable) throw err;
          letters.push(
            letterFor(message, batch.topic, batch.partition, 'SERDE_DECODE_FAILED', describeError(err)),
          );
        }
      }
      try {
        const refused = await writeDurably(records, () => payload.heartbeat());
        for (const record of refused) {
          const message = chunk.find((m) => m.offset === record.offset)!;
          log.error(
            { offset: record.offset, topic: batch.topic, partition: batch.partition },
            `${sink.name}: store refused a record; dead-lettered`,
          );
          letters.push(
            letterFor(
              message,
              batch.topic,
              batch.partition,
              'STORE_REJECTED',
              'the store refused the record as invalid data',
            ),
          );
        }
      } catch (err) {
        if (err instanceof StoppedError) return;
        throw err;
      }
      await sendDeadLetters(letters);
      const last = chunk[chunk.length - 1]!;
      const endsBatch = i + options.maxBatchRecords >= batch.messages.length;
      await consumer.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: nextOffset(batch, last.offset, endsBatch) },
      ]);
      payload.resolveOffset(last.offset);
      deps.metrics.batchSize.observe({ component: sink.name }, chunk.length);
      deps.metrics.batchSeconds.observe({ component: sink.name }, (Date.now() - started) / 1000);
      await payload.heartbeat();
    }
  };

  await sink.start();
  try {
    await consumer.connect();
  } catch (err) {
    await consumer.disconnect().catch(() => undefined);
    throw err;
  }
  commitPastControlBatches(consumer, (err) =>
    log.debug({ err }, 'commit past transaction markers failed; the next batch commits'),
  );
  const failed = watchConsumerCrashes(consumer, log, sink.name);
  await consumer.subscribe({ topics: sink.topics.map((id) => deps.names[id]), fromBeginning: true });
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
  log.info({ groupId: options.groupId, topics: sink.topics }, `${sink.name} sink consuming`);

  return {
    failed,
    async stop() {
      stopping = true;
      await consumer.disconnect();
      await sink.stop();
      log.info(`${sink.name} sink stopped`);
    },
  };
}
