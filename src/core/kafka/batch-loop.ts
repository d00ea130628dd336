import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { consumedLetter, type DeadLetterStage } from '../dead-letter.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { BackoffPolicy } from '../resilience/backoff.js';
import { HoldInterrupted, holder, type Holds } from '../resilience/hold.js';
import type { AvroSerde } from '../serde/avro-serde.js';
import type { TopicValues } from '../serde/schemas.js';
import { createConsumer } from './client.js';
import { watchConsumerCrashes } from './crash.js';
import { MarkerCommits, nextOffset } from './offsets.js';
import type { OutputRecord, SourcePosition } from './records.js';
import type { ConsumerLoop } from './supervised-loop.js';
import { topicIds, type TopicId, type TopicNames } from './topics.js';

export interface BatchLoopDeps {
  kafka: Kafka;
  serde: AvroSerde;
  names: TopicNames;
  logger: Logger;
  metrics: Metrics;
  clock: { now(): number };
  /** Where the loop reports holding on a registry or store fault (read by /readyz). */
  holds: Holds;
}

export interface BatchLoopOptions {
  /** Names the loop in logs, metrics and /readyz (prepare, enrich, timescale, redis). */
  name: string;
  groupId: string;
  topics: readonly TopicId[];
  /** Records handed to the commit strategy at once; a larger fetched batch is split. */
  maxRecordsPerChunk: number;
  /** Waits between attempts while the registry (or the strategy's store) fails. */
  holdBackoff: BackoffPolicy;
  /** The consumer group session (KafkaSettings.consumerSessionTimeoutMs). */
  sessionTimeoutMs: number;
  /** Most bytes a fetch asks for (KafkaSettings.consumerFetchMaxBytes). */
  fetchMaxBytes: number;
  /** Partition batches of one fetch handled side by side (kafkajs partitionsConsumedConcurrently). */
  partitionsConcurrently: number;
  /** Stage recorded on the dead letter of a record whose bytes cannot be read. */
  deadLetterStage: DeadLetterStage;
  /**
   * A null value is a tombstone deleting a key of a compacted topic (skipped), or, on a topic
   * that is never compacted, a record without a value (dead-lettered like any unreadable bytes).
   */
  tombstones: 'skip' | 'dead-letter';
}

/** A consumed record whose bytes decoded. */
export type DecodedRecord<T extends TopicId = TopicId> = {
  [K in T]: {
    topic: K;
    value: TopicValues[K];
    key: Buffer | null;
    /** The message value byte for byte, kept for dead letters. */
    raw: Buffer;
    source: SourcePosition;
    /** Kafka message timestamp (ms). */
    timestamp: number;
  };
}[T];

/** One consumed message: decoded, or its dead letter when its bytes cannot be read. */
export type Consumed =
  | { kind: 'record'; message: KafkaMessage; record: DecodedRecord }
  | { kind: 'letter'; message: KafkaMessage; letter: OutputRecord };

/** Where a chunk sits: the offset to commit once it is durable. */
export interface ChunkPosition {
  topic: string;
  partition: number;
  commitOffset: string;
}

/** A batch as the strategy lets the loop take it. */
export interface BatchPlan {
  messages: KafkaMessage[];
  /** False once the batch belongs to a newer assignment: its remaining chunks are left to it. */
  current(): boolean;
  /** Makes a chunk of the batch durable and commits its offsets; both are done when it resolves. */
  commit(chunk: Consumed[], position: ChunkPosition, heartbeat: () => Promise<void>): Promise<void>;
}

/** What the loop lends its commit strategy. */
export interface BatchLoopTools {
  consumer: Consumer;
  log: Logger;
  markers: MarkerCommits;
  /** Holds through infrastructure faults until the loop stops (HoldInterrupted then). */
  hold: <T>(what: string, work: () => Promise<T>, heartbeat?: () => Promise<void>) => Promise<T>;
  /** The message decoded, or its dead letter; holds while the registry fails. */
  decode: (
    topic: TopicId,
    message: KafkaMessage,
    partition: number,
    heartbeat?: () => Promise<void>,
  ) => Promise<Consumed>;
  letterFor: (source: SourcePosition, message: KafkaMessage, code: string, reason: string) => OutputRecord;
}

/**
 * The part of a consumer loop that differs between the processors (outputs and offsets in one
 * Kafka transaction) and the sinks (write to the store, then commit the offsets).
 */
export interface CommitStrategy {
  /** Called on every assignment, after the loop has forgotten what it knew of the last one. */
  assigned(assignment: Record<string, number[]>): void;
  /** Before a batch's chunks; null when the batch is to be left alone (stopped while preparing). */
  beginBatch(payload: EachBatchPayload): Promise<BatchPlan | null>;
  /** After the consumer disconnected (the batch in flight finished): releases what the strategy holds. */
  close(): Promise<void>;
}

/**
 * One consumer loop for the processors and the sinks: topic lookup, decoding (or dead-lettering
 * what cannot be read, holding while the registry fails), chunking, offsets past transaction
 * markers, metrics, crash watch, stop. The strategy decides how a chunk becomes durable; the loop
 * resolves its offsets only after that, so a crash re-reads exactly what was not committed.
 */
export async function runBatchLoop(
  deps: BatchLoopDeps,
  options: BatchLoopOptions,
  makeStrategy: (tools: BatchLoopTools) => Promise<CommitStrategy>,
): Promise<ConsumerLoop> {
  const log = deps.logger;
  const topicByName = new Map(topicIds.map((id) => [deps.names[id], id] as const));
  const consumer = createConsumer(deps.kafka, options.groupId, {
    consumerSessionTimeoutMs: options.sessionTimeoutMs,
    consumerFetchMaxBytes: options.fetchMaxBytes,
  });
  // Registered first: its GROUP_JOIN listener forgets the last assignment before the strategy's learns the new one.
  const markers = new MarkerCommits(consumer, (err) =>
    log.debug({ err }, 'commit past transaction markers failed; the next batch commits'),
  );
  // Aborted by stop(): a loop holding on a fault gives up its wait at once.
  const stopping = new AbortController();
  const hold = holder({
    component: options.name,
    holds: deps.holds,
    metrics: deps.metrics,
    log,
    backoff: options.holdBackoff,
    signal: stopping.signal,
  });
  const letterFor = (source: SourcePosition, message: KafkaMessage, code: string, reason: string) =>
    consumedLetter(options.deadLetterStage, source, message, { code, message: reason }, deps.clock.now());

  const sourceOf = (topic: TopicId, message: KafkaMessage, partition: number): SourcePosition => ({
    topic: deps.names[topic],
    partition,
    offset: message.offset,
  });
  const recordOf = (
    topic: TopicId,
    message: KafkaMessage,
    partition: number,
    raw: Buffer,
    value: unknown,
  ): Consumed => {
    const record = {
      topic,
      value,
      key: message.key,
      raw,
      source: sourceOf(topic, message, partition),
      timestamp: Number(message.timestamp),
    };
    return { kind: 'record', message, record: record as DecodedRecord };
  };
  const letterOf = (topic: TopicId, message: KafkaMessage, partition: number, err: unknown): Consumed => ({
    kind: 'letter',
    message,
    letter: letterFor(
      sourceOf(topic, message, partition),
      message,
      'SERDE_DECODE_FAILED',
      describeError(err),
    ),
  });

  /** A registry that fails or refuses is not the record's fault: the loop holds until it answers. */
  const decode = async (
    topic: TopicId,
    message: KafkaMessage,
    partition: number,
    heartbeat?: () => Promise<void>,
  ): Promise<Consumed> => {
    const raw = message.value ?? Buffer.alloc(0);
    try {
      const value = await hold('decoding', () => deps.serde.decode(topic, raw), heartbeat);
      return recordOf(topic, message, partition, raw, value);
    } catch (err) {
      if (err instanceof HoldInterrupted) throw err;
      return letterOf(topic, message, partition, err);
    }
  };

  /**
   * `decode` when the writer's schema is known (every record but a schema's first): no registry
   * to wait for, so no promise per record. Undefined otherwise.
   */
  const decodeKnown = (topic: TopicId, message: KafkaMessage, partition: number): Consumed | undefined => {
    const raw = message.value ?? Buffer.alloc(0);
    try {
      const value = deps.serde.decodeIfKnown(topic, raw);
      return value === undefined ? undefined : recordOf(topic, message, partition, raw, value);
    } catch (err) {
      return letterOf(topic, message, partition, err);
    }
  };

  const strategy = await makeStrategy({ consumer, log, markers, hold, decode, letterFor });

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    const topicId = topicByName.get(batch.topic);
    if (!topicId) throw new Error(`${options.name}: consumed unknown topic ${batch.topic}`);
    const heartbeat = () => payload.heartbeat();
    try {
      const plan = await strategy.beginBatch(payload);
      if (plan === null) return;
      const { messages } = plan;
      for (let i = 0; i < messages.length; i += options.maxRecordsPerChunk) {
        if (!payload.isRunning() || payload.isStale() || !plan.current()) return;
        const started = Date.now();
        const chunk = messages.slice(i, i + options.maxRecordsPerChunk);
        const consumed: Consumed[] = [];
        for (const message of chunk) {
          if (message.value === null && options.tombstones === 'skip') continue;
          consumed.push(
            decodeKnown(topicId, message, batch.partition) ??
              (await decode(topicId, message, batch.partition, heartbeat)),
          );
        }
        const last = chunk[chunk.length - 1]!.offset;
        const commitOffset = nextOffset(batch, last, i + options.maxRecordsPerChunk >= messages.length);
        await plan.commit(
          consumed,
          { topic: batch.topic, partition: batch.partition, commitOffset },
          heartbeat,
        );
        markers.committed(batch.topic, batch.partition, commitOffset);
        payload.resolveOffset(last);
        deps.metrics.batchSize.observe({ component: options.name }, chunk.length);
        deps.metrics.batchSeconds.observe({ component: options.name }, (Date.now() - started) / 1000);
        await payload.heartbeat();
      }
    } catch (err) {
      // Stopped while holding: nothing of the chunk was committed, the next owner reads it again.
      if (err instanceof HoldInterrupted) return;
      throw err;
    }
  };

  try {
    await consumer.connect();
  } catch (err) {
    // A restart attempt against a broker still down must not leave half a loop connected.
    await Promise.allSettled([consumer.disconnect(), strategy.close()]);
    throw err;
  }
  consumer.on(consumer.events.GROUP_JOIN, (event) => strategy.assigned(event.payload.memberAssignment));
  const failed = watchConsumerCrashes(consumer, log, options.name);
  await consumer.subscribe({ topics: options.topics.map((id) => deps.names[id]), fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConcurrently,
    eachBatch,
  });
  log.info({ groupId: options.groupId, topics: options.topics }, `${options.name} consuming`);

  return {
    failed,
    async stop() {
      stopping.abort();
      // disconnect waits for the batch in flight, which then commits or is left uncommitted.
      await consumer.disconnect();
      await strategy.close();
      log.info(`${options.name} stopped`);
    },
  };
}
