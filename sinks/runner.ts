import type { Producer } from 'kafkajs';
import { describeError, StoreError } from '../src/core/errors.js';
import {
  runBatchLoop,
  type BatchLoopDeps,
  type BatchLoopOptions,
  type BatchLoopTools,
  type ChunkPosition,
  type CommitStrategy,
  type Consumed,
} from '../src/core/kafka/batch-loop.js';
import { countWritten, encodeByTopic } from '../src/core/kafka/encode.js';
import type { ConsumerLoop } from '../src/core/kafka/supervised-loop.js';
import { committedOffsets } from '../src/core/kafka/offsets.js';
import type { OutputRecord } from '../src/core/kafka/records.js';
import { produceError } from '../src/core/kafka/produce-errors.js';
import { HoldInterrupted } from '../src/core/resilience/hold.js';
import { withTimeout } from '../src/core/resilience/timeout.js';
import type { Sink, SinkRecord } from './contract.js';

export interface SinkRunnerDeps extends BatchLoopDeps {
  /** For dead letters of records the store refuses (decoding or data errors). */
  producer: Producer;
}

/** The loop's options the sinks role sets (ODDSFLOW_SINK_*), and the write's bound. */
export type SinkRunnerOptions = Pick<
  BatchLoopOptions,
  | 'groupId'
  | 'maxRecordsPerChunk'
  | 'holdBackoff'
  | 'sessionTimeoutMs'
  | 'fetchMaxBytes'
  | 'partitionsConcurrently'
> & {
  /**
   * How long one `writeBatch` may take before it counts as the store not answering: it is then
   * held and retried like an outage (writes are idempotent, so a late first attempt is harmless).
   */
  writeTimeoutMs: number;
};

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
  const logger = deps.logger.child({ component: 'sink', name: sink.name });
  return runBatchLoop(
    { ...deps, logger },
    {
      ...options,
      name: sink.name,
      topics: sink.topics,
      deadLetterStage: 'sink',
      // A tombstone on the compacted results topic deletes an old key: nothing to write.
      tombstones: 'skip',
    },
    (tools) => writeThenCommit(sink, deps, options, tools),
  );
}

/** A record the store refused as data, with the store's own reason. */
interface Refused {
  record: SinkRecord;
  reason: string;
}

/** The sinks' commit strategy: write the chunk to the store, then commit its offsets. */
async function writeThenCommit(
  sink: Sink,
  deps: SinkRunnerDeps,
  options: SinkRunnerOptions,
  tools: BatchLoopTools,
): Promise<CommitStrategy> {
  const { log, hold, consumer, markers } = tools;

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
  const writeDurably = async (records: SinkRecord[], heartbeat: () => Promise<void>): Promise<Refused[]> => {
    try {
      await hold(`writing a batch of ${records.length} records`, () => writeOnce(records), heartbeat);
      return [];
    } catch (err) {
      if (err instanceof HoldInterrupted) throw err;
      if (records.length === 1) return [{ record: records[0]!, reason: describeError(err) }];
      const half = Math.ceil(records.length / 2);
      return [
        ...(await writeDurably(records.slice(0, half), heartbeat)),
        ...(await writeDurably(records.slice(half), heartbeat)),
      ];
    }
  };

  const commitChunk = async (
    chunk: Consumed[],
    { topic, partition, commitOffset }: ChunkPosition,
    heartbeat: () => Promise<void>,
  ): Promise<void> => {
    const records: SinkRecord[] = [];
    const letters: OutputRecord[] = [];
    const messages = new Map<string, Consumed['message']>();
    for (const consumed of chunk) {
      if (consumed.kind === 'letter') {
        letters.push(consumed.letter);
        continue;
      }
      const { record } = consumed;
      messages.set(record.source.offset, consumed.message);
      records.push({
        topic: record.topic,
        value: record.value,
        key: record.key?.toString() ?? null,
        partition,
        offset: record.source.offset,
        timestamp: record.timestamp,
      } as SinkRecord);
    }
    for (const { record, reason } of await writeDurably(records, heartbeat)) {
      log.error(
        { offset: record.offset, topic, partition, reason },
        `${sink.name}: store refused a record; dead-lettered`,
      );
      letters.push(
        tools.letterFor(
          { topic, partition, offset: record.offset },
          messages.get(record.offset)!,
          'STORE_REJECTED',
          `${sink.name}: the store refused the record: ${reason}`,
        ),
      );
    }
    await sendDeadLetters(letters, heartbeat);
    await consumer.commitOffsets([{ topic, partition, offset: commitOffset }]);
  };

  await sink.start();
  return {
    // What the group has committed for the newly assigned partitions, so that one with nothing
    // new but a last transaction marker is committed past it (MarkerCommits).
    assigned(assignment) {
      void committedOffsets(deps.kafka, options.groupId, assignment)
        .then((offsets) =>
          offsets.forEach(({ topic, partition, offset }) => markers.committed(topic, partition, offset)),
        )
        .catch((err: unknown) =>
          log.debug({ err }, 'reading the committed offsets failed; the next batch commits'),
        );
    },
    beginBatch: (payload) =>
      Promise.resolve({ messages: payload.batch.messages, current: () => true, commit: commitChunk }),
    close: () => sink.stop(),
  };
}
