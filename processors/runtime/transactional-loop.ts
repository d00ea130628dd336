import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { PartitionProducers } from './partition-producers.js';
import { consumedLetter, deadLetter } from '../../src/core/dead-letter.js';
import { describeError } from '../../src/core/errors.js';
import { createConsumer } from '../../src/core/kafka/client.js';
import {
  countWritten,
  encodeRecords,
  groupByTopic,
  messageBytes,
  splitBySize,
  type EncodedRecord,
} from '../../src/core/kafka/encode.js';
import { produceError } from '../../src/core/kafka/produce-errors.js';
import { watchConsumerCrashes } from '../../src/core/kafka/crash.js';
import type { ConsumerLoop } from '../../src/core/kafka/supervised-loop.js';
import { MarkerCommits, nextOffset } from '../../src/core/kafka/offsets.js';
import type { OutputRecord, SourcePosition } from '../../src/core/kafka/records.js';
import { topicIds, type TopicId, type TopicNames } from '../../src/core/kafka/topics.js';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import type { BackoffPolicy } from '../../src/core/resilience/backoff.js';
import { HoldInterrupted, holder, type Holds } from '../../src/core/resilience/hold.js';
import type { AvroSerde } from '../../src/core/serde/avro-serde.js';
import { offsetsFrom, readPartitions, type PartitionRange } from '../../src/core/kafka/read-range.js';
import type { ProcessorStage, StageInput } from './stage.js';

export interface TransactionalLoopDeps {
  kafka: Kafka;
  serde: AvroSerde;
  names: TopicNames;
  logger: Logger;
  metrics: Metrics;
  clock: { now(): number };
  /** Where the loop reports holding on a registry fault (read by /readyz). */
  holds: Holds;
}

/**
 * Runs `work` with a heartbeat every second meanwhile. A fence waits until the broker has finished
 * the previous owner's transaction, which takes seconds when its coordinator moved (a broker
 * died); without heartbeats the member's session ran out in the meantime, it was removed, joined
 * again, fenced again, and so on (a three-broker fault test saw 14 rejoins in 3 minutes with a
 * 6 s session). kafkajs sends a heartbeat only when one is due, so calling it often is cheap.
 */
async function heartbeating<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => void heartbeat().catch(() => undefined), 1_000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export interface TransactionalLoopOptions {
  /** Also names the transactional producers, one per input partition (see PartitionProducers). */
  groupId: string;
  /** Records per transaction; a large fetched batch is split into several transactions. */
  maxRecordsPerTransaction: number;
  /** An output larger than this (key and value) is not produced: its input is dead-lettered. */
  maxRecordBytes: number;
  /** Waits between attempts while the registry fails (decoding or encoding holds, never dead-letters). */
  holdBackoff: BackoffPolicy;
  /** The consumer group session (KafkaSettings.consumerSessionTimeoutMs). */
  sessionTimeoutMs: number;
}

/**
 * Consume-transform-produce with Kafka transactions: a batch's outputs and its input offsets are
 * committed together, so after a crash the batch is either fully visible downstream (and not
 * re-read) or not at all (and re-read). Downstream consumers read committed data only. Each input
 * partition has its own transactional producer, fenced whenever the partition changes hands, so
 * a member that lost it (a zombie, or this consumer before kafkajs restarted it) cannot commit
 * what the new owner processes again.
 */
export async function runTransactionalLoop(
  stage: ProcessorStage,
  deps: TransactionalLoopDeps,
  options: TransactionalLoopOptions,
): Promise<ConsumerLoop> {
  const log = deps.logger.child({ component: 'processor', name: stage.name });
  const topicByName = new Map(topicIds.map((id) => [deps.names[id], id] as const));
  const admin = deps.kafka.admin();
  const producers = new PartitionProducers(deps.kafka, admin, {
    groupId: options.groupId,
    transactionTimeout: 30_000,
    // The broker answers CONCURRENT_TRANSACTIONS while it still writes the previous transaction's
    // markers (a few ms after commit returns); a short first retry keeps that from costing 200 ms
    // per transaction. Retries stay unlimited, as an idempotent producer's must.
    retry: { initialRetryTime: 10, maxRetryTime: 2_000, retries: Number.MAX_SAFE_INTEGER },
  });
  const consumer: Consumer = createConsumer(deps.kafka, options.groupId, options.sessionTimeoutMs);
  const markers = new MarkerCommits(consumer, (err) =>
    log.debug({ err }, 'commit past transaction markers failed; the next batch commits'),
  );

  // Aborted by stop(): a loop holding on a registry fault gives up its wait at once.
  const stopping = new AbortController();
  const hold = holder({
    component: stage.name,
    holds: deps.holds,
    metrics: deps.metrics,
    log,
    backoff: options.holdBackoff,
    signal: stopping.signal,
  });
  const letterFor = (source: SourcePosition, message: KafkaMessage, code: string, reason: string) =>
    consumedLetter(stage.deadLetterStage, source, message, { code, message: reason }, deps.clock.now());

  /**
   * The record decoded, or its dead letter when its bytes cannot be read. A registry that fails
   * or refuses (outage, credentials, a schema id it no longer knows) is not the record's fault:
   * the loop holds on it until the registry answers.
   */
  const decode = async (
    topic: TopicId,
    message: KafkaMessage,
    partition: number,
    heartbeat?: () => Promise<void>,
  ): Promise<StageInput | OutputRecord> => {
    const source = { topic: deps.names[topic], partition, offset: message.offset };
    const raw = message.value ?? Buffer.alloc(0);
    try {
      const value = await hold('decoding', () => deps.serde.decode(topic, raw), heartbeat);
      return { topic, value, key: message.key, raw, source } as StageInput;
    } catch (err) {
      if (err instanceof HoldInterrupted) throw err;
      return letterFor(source, message, 'SERDE_DECODE_FAILED', describeError(err));
    }
  };

  const transform = (input: StageInput): OutputRecord[] => {
    try {
      return stage.process(input);
    } catch (err) {
      // A bug, not bad data: keep the partition moving and the record findable.
      log.error({ err, source: input.source }, `${stage.name} failed on a record; dead-lettered`);
      return [
        {
          topic: 'deadLetters',
          key: input.key?.toString() ?? null,
          value: deadLetter({
            stage: stage.deadLetterStage,
            errors: [{ path: '', code: 'INTERNAL_ERROR', message: describeError(err) }],
            provider: null,
            source: input.source,
            key: input.key,
            originalValue: input.raw,
            failedAt: deps.clock.now(),
          }),
        },
      ];
    }
  };

  /** Encodes the outputs of one input; one over the size limit turns them into the input's dead letter. */
  const encodeOutputs = async (
    message: KafkaMessage,
    decoded: StageInput | OutputRecord,
    outputs: OutputRecord[],
    heartbeat: () => Promise<void>,
  ): Promise<{ outputs: OutputRecord[]; encoded: EncodedRecord[] }> => {
    const encoded = await hold('encoding', () => encodeRecords(deps.serde, deps.names, outputs), heartbeat);
    const oversized = encoded.find((e) => messageBytes(e.message) > options.maxRecordBytes);
    if (!oversized || !('source' in decoded) || decoded.source === null) return { outputs, encoded };
    const bytes = messageBytes(oversized.message);
    log.error(
      { source: decoded.source, topic: oversized.topic, bytes },
      `${stage.name}: an output is over the record size limit; its input is dead-lettered`,
    );
    const letter = [
      letterFor(
        decoded.source,
        message,
        'RECORD_TOO_LARGE',
        `its output for ${oversized.topic} is ${bytes} bytes, over ODDSFLOW_MAX_RECORD_BYTES (${options.maxRecordBytes})`,
      ),
    ];
    return {
      outputs: letter,
      encoded: await hold('encoding', () => encodeRecords(deps.serde, deps.names, letter), heartbeat),
    };
  };

  const commitChunk = async (
    topic: string,
    partition: number,
    messages: KafkaMessage[],
    commitOffset: string,
    heartbeat: () => Promise<void>,
    producer: Producer,
  ): Promise<number> => {
    const topicId = topicByName.get(topic);
    if (!topicId) throw new Error(`${stage.name}: consumed unknown topic ${topic}`);
    const outputs: OutputRecord[] = [];
    const encoded: EncodedRecord[] = [];
    try {
      for (const message of messages) {
        const decoded = await decode(topicId, message, partition, heartbeat);
        const produced = await encodeOutputs(
          message,
          decoded,
          'source' in decoded ? transform(decoded) : [decoded],
          heartbeat,
        );
        outputs.push(...produced.outputs);
        encoded.push(...produced.encoded);
      }
    } catch (err) {
      // Stopped while holding: the records met the state, nothing is committed; start clean.
      stage.reset();
      warm = false;
      throw err;
    }
    const topicMessages = groupByTopic(encoded);
    const transaction = await producer.transaction();
    try {
      for (const send of splitBySize(topicMessages)) await transaction.sendBatch({ topicMessages: send });
      await transaction.sendOffsets({
        consumerGroupId: options.groupId,
        topics: [{ topic, partitions: [{ partition, offset: commitOffset }] }],
      });
      await transaction.commit();
      countWritten(deps.metrics, topicMessages);
    } catch (err) {
      await transaction.abort().catch(() => undefined);
      stage.reset();
      warm = false;
      const failure = produceError(err, `${stage.name}: transaction`);
      if (!failure.retriable)
        log.error(
          { err },
          `${stage.name}: the broker refused an output record for good; lower ODDSFLOW_MAX_RECORD_BYTES below the broker's message.max.bytes`,
        );
      throw err;
    }
    for (const output of outputs) {
      if (output.topic === 'deadLetters')
        deps.metrics.deadLetters.inc({ stage: output.value.stage, reason: output.value.reasonCode });
      else deps.metrics.stageRecords.inc({ stage: stage.name, direction: 'out' });
    }
    deps.metrics.stageRecords.inc({ stage: stage.name, direction: 'in' }, messages.length);
    return outputs.length;
  };

  // The partitions of the last assignment, and whether the state has been rebuilt for them.
  let assignment: Record<string, number[]> = {};
  let warm = false;

  /**
   * Puts back the state the stage keeps on its own compacted topic (restoreFrom): the partitions
   * matching the assigned input partitions, from the start to their end offsets, read committed.
   */
  const restore = async (heartbeat: () => Promise<void>): Promise<void> => {
    const from = stage.restoreFrom;
    if (from === undefined) return;
    const name = deps.names[from.topic];
    const partitions = new Set(stage.inputs.flatMap((id) => assignment[deps.names[id]] ?? []));
    if (partitions.size === 0) return;
    const ranges = new Map<number, PartitionRange>();
    for (const [partition, range] of await offsetsFrom(deps.kafka, name, undefined))
      if (partitions.has(partition)) ranges.set(partition, range);
    let restored = 0;
    await readPartitions(deps.kafka, name, ranges, async (message) => {
      if (message.value === null) return;
      const value = message.value;
      try {
        from.apply(await hold('restoring', () => deps.serde.decode(from.topic, value), heartbeat));
      } catch (err) {
        if (err instanceof HoldInterrupted) throw err;
        // A state record that does not decode only loses what it remembered: say so, go on.
        log.warn({ err, offset: message.offset }, `${stage.name}: a ${name} record could not be restored`);
      }
      if (++restored % 1000 === 0) await heartbeat();
    });
    if (restored > 0) log.info({ restored }, `${stage.name} state restored from ${restored} ${name} records`);
  };

  /**
   * Rebuilds the stage's state from the recent history of its assigned input partitions, up to
   * the group's committed offsets (what was processed before), outputs discarded.
   */
  const warmUp = async (heartbeat: () => Promise<void>): Promise<void> => {
    await restore(heartbeat);
    const windowMs = stage.warmupMs ?? 0;
    if (windowMs <= 0) return;
    const started = Date.now();
    let replayed = 0;
    const admin = deps.kafka.admin();
    await admin.connect();
    try {
      for (const topicId of stage.inputs) {
        const name = deps.names[topicId];
        const partitions = assignment[name] ?? [];
        if (partitions.length === 0) continue;
        const [committed] = await admin.fetchOffsets({ groupId: options.groupId, topics: [name] });
        const fromTime = new Map(
          (await admin.fetchTopicOffsetsByTimestamp(name, Date.now() - windowMs)).map((p) => [
            p.partition,
            p.offset,
          ]),
        );
        const ranges = new Map<number, PartitionRange>();
        for (const { partition, offset } of committed?.partitions ?? []) {
          if (!partitions.includes(partition) || offset === '-1') continue;
          const from = fromTime.get(partition);
          const start = from === undefined || from === '-1' ? offset : from;
          if (BigInt(start) < BigInt(offset)) ranges.set(partition, { start, end: BigInt(offset) });
        }
        await readPartitions(deps.kafka, name, ranges, async (message, partition) => {
          const decoded = await decode(topicId, message, partition, heartbeat);
          if ('source' in decoded) transform(decoded);
          if (++replayed % 1000 === 0) await heartbeat();
        });
      }
    } finally {
      await admin.disconnect();
    }
    log.info(
      { replayed, ms: Date.now() - started },
      `${stage.name} state rebuilt from ${replayed} records of the last ${Math.round(windowMs / 60_000)} min`,
    );
  };

  /** Per assigned partition, the committed offset read right after fencing it: everything below was done. */
  const fencedAt = new Map<string, bigint | null>();

  /** The partition's producer, fenced in this assignment, with what was committed for it then. */
  const fencedProducer = async (topic: string, partition: number) => {
    const fenced = await producers.forPartition(topic, partition);
    if (fenced.generation === producers.generation) {
      fencedAt.set(`${topic}|${partition}`, fenced.committed);
      markers.committed(topic, partition, fenced.committed);
    }
    return fenced;
  };

  /** Fences every assigned input partition's producer, so the offsets the warm-up reads are final. */
  const fenceAssigned = async (): Promise<void> => {
    for (const topicId of stage.inputs) {
      const topic = deps.names[topicId];
      for (const partition of assignment[topic] ?? []) await fencedProducer(topic, partition);
    }
  };

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    const generation = producers.generation;
    const heartbeat = () => payload.heartbeat();
    if (!warm) {
      try {
        await heartbeating(heartbeat, async () => {
          await fenceAssigned();
          await warmUp(heartbeat);
        });
      } catch (err) {
        if (err instanceof HoldInterrupted) return;
        throw err;
      }
      warm = true;
    }
    const fenced = await heartbeating(heartbeat, () => fencedProducer(batch.topic, batch.partition));
    // kafkajs may have fetched from a committed offset read before the fence: what the previous
    // owner committed in between is not processed twice.
    const floor = fencedAt.get(`${batch.topic}|${batch.partition}`) ?? null;
    const messages =
      floor === null ? batch.messages : batch.messages.filter((m) => BigInt(m.offset) >= floor);
    if (messages.length < batch.messages.length) {
      log.info(
        { partition: batch.partition, skipped: batch.messages.length - messages.length },
        `${stage.name}: records the partition's previous owner had already committed are skipped`,
      );
      if (messages.length === 0) payload.resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
    }
    const started = Date.now();
    for (let i = 0; i < messages.length; i += options.maxRecordsPerTransaction) {
      // A newer assignment began (a rebalance, a consumer restart): its owner takes it from here.
      if (!payload.isRunning() || payload.isStale() || producers.generation !== generation) return;
      const chunk = messages.slice(i, i + options.maxRecordsPerTransaction);
      const endsBatch = i + options.maxRecordsPerTransaction >= messages.length;
      const commitOffset = nextOffset(batch, chunk[chunk.length - 1]!.offset, endsBatch);
      try {
        await commitChunk(
          batch.topic,
          batch.partition,
          chunk,
          commitOffset,
          () => payload.heartbeat(),
          fenced.producer,
        );
      } catch (err) {
        if (err instanceof HoldInterrupted) return;
        throw err;
      }
      markers.committed(batch.topic, batch.partition, commitOffset);
      payload.resolveOffset(chunk[chunk.length - 1]!.offset);
      deps.metrics.batchSize.observe({ component: stage.name }, chunk.length);
      await payload.heartbeat();
    }
    deps.metrics.batchSeconds.observe({ component: stage.name }, (Date.now() - started) / 1000);
  };

  try {
    await admin.connect();
    await consumer.connect();
  } catch (err) {
    // A restart attempt against a broker still down must not leave half a loop connected.
    await Promise.allSettled([consumer.disconnect(), admin.disconnect()]);
    throw err;
  }
  // A new assignment may bring partitions whose state this instance never saw, and partitions
  // another member (or this consumer before a restart) may still be writing for.
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    stage.reset();
    assignment = event.payload.memberAssignment;
    warm = false;
    // Fenced at once, not at the first batch: a partition with nothing new but its last marker
    // needs to know its committed offset too (MarkerCommits). eachBatch fences what this misses.
    producers
      .newGeneration(assignment)
      .then(() => fenceAssigned())
      .catch((err: unknown) =>
        log.debug({ err }, 'fencing the assigned partitions failed; the next batch does'),
      );
  });
  const failed = watchConsumerCrashes(consumer, log, stage.name);
  await consumer.subscribe({ topics: stage.inputs.map((id) => deps.names[id]), fromBeginning: true });
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
  log.info({ groupId: options.groupId, inputs: stage.inputs }, `${stage.name} consuming`);

  return {
    failed,
    async stop() {
      stopping.abort();
      // disconnect waits for the batch in flight, whose transaction then commits or aborts.
      await consumer.disconnect();
      await producers.closeAll();
      await admin.disconnect();
      log.info(`${stage.name} stopped`);
    },
  };
}
