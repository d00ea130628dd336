import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { consumedLetter } from '../src/core/dead-letter.js';
import { describeError, StoreError } from '../src/core/errors.js';
import { createConsumer } from '../src/core/kafka/client.js';
import { countWritten, encodeByTopic } from '../src/core/kafka/encode.js';
import { watchConsumerCrashes } from '../src/core/kafka/crash.js';
import type { ConsumerLoop } from '../src/core/kafka/supervised-loop.js';
import { MarkerCommits, committedOffsets, nextOffset } from '../src/core/kafka/offsets.js';
import type { OutputRecord } from '../src/core/kafka/records.js';
import { topicIds, type TopicNames } from '../src/core/kafka/topics.js';
import type { Logger } from '../src/core/logger.js';
import type { Metrics } from '../src/core/metrics.js';
import { produceError } from '../src/core/kafka/produce-errors.js';
import type { BackoffPolicy } from '../src/core/resilience/backoff.js';
import { HoldInterrupted, holder, type Holds } from '../src/core/resilience/hold.js';
import { withTimeout } from '../src/core/resilience/timeout.js';
import type { AvroSerde } from '../src/core/serde/avro-serde.js';
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
  /** Where the runner reports holding on a store or registry fault (read by /readyz). */
  holds: Holds;
}

export interface SinkRunnerOptions {
  groupId: string;
  maxBatchRecords: number;
  retry: BackoffPolicy;
  /**
   * How long one `writeBatch` may take before it counts as the store not answering: it is then
   * held and retried like an outage (writes are idempotent, so a late first attempt is harmless).
   */
  writeTimeoutMs: number;
  /** The consumer group session (KafkaSettings.consumerSessionTimeoutMs). */
  sessionTimeoutMs: number;
  /**
   * Partition batches of one fetch written at once (ODDSFLOW_SINK_PARTITIONS_CONCURRENTLY): each
   * waits on its store's round trips, so one after another they add up.
   */
  partitionsConcurrently: number;
}

/** How long a batch write may take before the sink says it is still waiting for the store. */
const slowWriteMs = 15_000;

/**
 * A consumer group feeding one sink: decode, write a batch, and only then commit its offsets.
 * A store outage, a store that does not answer within `writeTimeoutMs`, or a store or registry
 * refusing for a reason no record causes (permissions, credentials, a schema id the registry no
 * longer knows) holds the partition (heartbeating, so the group keeps it): the same batch is
 * retried with backoff until it succeeds, nothing is committed meanwhile, so nothing is lost,
 * and `/readyz` and `oddsflow_infrastructure_hold` say so. A record the store refuses as data
 * is isolated by halving the batch and dead-lettered with the reason, so one bad record neither
 * blocks nor silently vanishes.
 */
export async function runSink(
  sink: Sink,
  deps: SinkRunnerDeps,
  options: SinkRunnerOptions,
): Promise<ConsumerLoop> {
  const log = deps.logger.child({ component: 'sink', name: sink.name });
  const topicByName = new Map(topicIds.map((id) => [deps.names[id], id] as const));
  const consumer: Consumer = createConsumer(deps.kafka, options.groupId, options.sessionTimeoutMs);
  // Aborted by stop(): a held batch gives up its wait at once.
  const stopping = new AbortController();
  const hold = holder({
    component: sink.name,
    holds: deps.holds,
    metrics: deps.metrics,
    log,
    backoff: options.retry,
    signal: stopping.signal,
  });

  const sendDeadLetters = async (letters: OutputRecord[], heartbeat: () => Promise<void>): Promise<void> => {
    if (letters.length === 0) return;
    const topicMessages = await hold(
      'encoding dead letters',
      () => encodeByTopic(deps.serde, deps.names, letters),
      heartbeat,
    );
    await hold(
      'producing dead letters',
      () =>
        deps.producer.sendBatch({ topicMessages, acks: -1 }).catch((err: unknown) => {
          throw produceError(err, `${sink.name}: dead letters`);
        }),
      heartbeat,
    );
    countWritten(deps.metrics, topicMessages);
    for (const l of letters)
      if (l.topic === 'deadLetters')
        deps.metrics.deadLetters.inc({ stage: 'sink', reason: l.value.reasonCode });
  };

  const letterFor = (message: KafkaMessage, topic: string, partition: number, code: string, reason: string) =>
    consumedLetter(
      'sink',
      { topic, partition, offset: message.offset },
      message,
      { code, message: `${sink.name}: ${reason}` },
      deps.clock.now(),
    );

  /** One bounded attempt; a store that neither answers nor fails is told apart by the warning first. */
  const writeOnce = async (records: SinkRecord[]): Promise<void> => {
    const slow = setTimeout(
      () =>
        log.warn(
          `${sink.name}: a batch of ${records.length} records has been writing for ${slowWriteMs / 1000} s`,
        ),
      slowWriteMs,
    );
    try {
      await withTimeout(
        sink.writeBatch(records),
        options.writeTimeoutMs,
        () =>
          new StoreError(
            'STORE_WRITE_TIMEOUT',
            `${sink.name}: no answer to a batch of ${records.length} records within ${options.writeTimeoutMs / 1000} s`,
          ),
      );
    } finally {
      clearTimeout(slow);
    }
  };

  /** Writes, holding through faults until stop; returns the records the store refused as data. */
  const writeDurably = async (
    records: SinkRecord[],
    heartbeat: () => Promise<void>,
  ): Promise<SinkRecord[]> => {
    try {
      await hold(`writing a batch of ${records.length} records`, () => writeOnce(records), heartbeat);
      return [];
    } catch (err) {
      if (err instanceof HoldInterrupted) throw err;
      if (records.length === 1) return records;
      const half = Math.ceil(records.length / 2);
      return [
        ...(await writeDurably(records.slice(0, half), heartbeat)),
        ...(await writeDurably(records.slice(half), heartbeat)),
      ];
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
      const heartbeat = () => payload.heartbeat();
      try {
        for (const message of chunk) {
          // A tombstone on the compacted results topic deletes an old key: nothing to write.
          const bytes = message.value;
          if (bytes === null) continue;
          try {
            const value = await hold('decoding', () => deps.serde.decode(topicId, bytes), heartbeat);
            records.push({
              topic: topicId,
              value,
              key: message.key?.toString() ?? null,
              partition: batch.partition,
              offset: message.offset,
              timestamp: Number(message.timestamp),
            } as SinkRecord);
          } catch (err) {
            if (err instanceof HoldInterrupted) throw err;
            letters.push(
              letterFor(message, batch.topic, batch.partition, 'SERDE_DECODE_FAILED', describeError(err)),
            );
          }
        }
        const refused = await writeDurably(records, heartbeat);
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
        await sendDeadLetters(letters, heartbeat);
      } catch (err) {
        if (err instanceof HoldInterrupted) return;
        throw err;
      }
      const last = chunk[chunk.length - 1]!;
      const endsBatch = i + options.maxBatchRecords >= batch.messages.length;
      const offset = nextOffset(batch, last.offset, endsBatch);
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset }]);
      markers.committed(batch.topic, batch.partition, offset);
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
  const markers = new MarkerCommits(consumer, (err) =>
    log.debug({ err }, 'commit past transaction markers failed; the next batch commits'),
  );
  // What the group has committed for the newly assigned partitions, so that one with nothing new
  // but a last transaction marker is committed past it (MarkerCommits).
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    void committedOffsets(deps.kafka, options.groupId, event.payload.memberAssignment)
      .then((offsets) =>
        offsets.forEach(({ topic, partition, offset }) => markers.committed(topic, partition, offset)),
      )
      .catch((err: unknown) =>
        log.debug({ err }, 'reading the committed offsets failed; the next batch commits'),
      );
  });
  const failed = watchConsumerCrashes(consumer, log, sink.name);
  await consumer.subscribe({ topics: sink.topics.map((id) => deps.names[id]), fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    // Partitions hold disjoint keys, so their batches may be written side by side.
    partitionsConsumedConcurrently: options.partitionsConcurrently,
    eachBatch,
  });
  log.info({ groupId: options.groupId, topics: sink.topics }, `${sink.name} sink consuming`);

  return {
    failed,
    async stop() {
      stopping.abort();
      await consumer.disconnect();
      await sink.stop();
      log.info(`${sink.name} sink stopped`);
    },
  };
}
