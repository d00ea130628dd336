import type { EachBatchPayload, Producer } from 'kafkajs';
import { PartitionProducers } from './partition-producers.js';
import { deadLetter } from '../../src/core/dead-letter.js';
import { describeError } from '../../src/core/errors.js';
import {
  runBatchLoop,
  type BatchLoopDeps,
  type BatchLoopOptions,
  type BatchLoopTools,
  type ChunkPosition,
  type CommitStrategy,
  type Consumed,
} from '../../src/core/kafka/batch-loop.js';
import {
  countWritten,
  encodeRecords,
  encodeRecordsIfKnown,
  groupByTopic,
  messageBytes,
  splitBySize,
  type EncodedRecord,
} from '../../src/core/kafka/encode.js';
import { transactionalRetry } from '../../src/core/kafka/client.js';
import { produceError } from '../../src/core/kafka/produce-errors.js';
import type { ConsumerLoop } from '../../src/core/kafka/supervised-loop.js';
import type { OutputRecord } from '../../src/core/kafka/records.js';
import { HoldInterrupted } from '../../src/core/resilience/hold.js';
import { offsetsFrom, readPartitions, type PartitionRange } from '../../src/core/kafka/read-range.js';
import type { ProcessorStage, StageInput } from './stage.js';

export type TransactionalLoopDeps = BatchLoopDeps;

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

/**
 * The loop's options the processors role sets: `groupId` also names the transactional producers
 * (one per input partition, see PartitionProducers), `maxRecordsPerChunk` is the records per
 * transaction, `holdBackoff` the wait while the registry fails (decoding or encoding holds, never
 * dead-letters).
 */
export type TransactionalLoopOptions = Pick<
  BatchLoopOptions,
  'groupId' | 'maxRecordsPerChunk' | 'holdBackoff' | 'sessionTimeoutMs' | 'fetchMaxBytes'
> & {
  /** An output larger than this (key and value) is not produced: its input is dead-lettered. */
  maxRecordBytes: number;
};

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
  const logger = deps.logger.child({ component: 'processor', name: stage.name });
  return runBatchLoop(
    { ...deps, logger },
    {
      ...options,
      name: stage.name,
      topics: stage.inputs,
      // One partition at a time: the stage's state spans its partitions and a transaction that
      // aborts resets it; side by side, two fault runs wrote records twice (bench/README.md).
      partitionsConcurrently: 1,
      deadLetterStage: stage.deadLetterStage,
      // The processors' inputs are never compacted: a record without a value is bad input.
      tombstones: 'dead-letter',
    },
    (tools) => transactionalStrategy(stage, { ...deps, logger }, options, tools),
  );
}

/** The processors' commit strategy: a chunk's outputs and its input offsets in one transaction. */
async function transactionalStrategy(
  stage: ProcessorStage,
  deps: TransactionalLoopDeps,
  options: TransactionalLoopOptions,
  tools: BatchLoopTools,
): Promise<CommitStrategy> {
  const { log, hold, decode, markers } = tools;
  const admin = deps.kafka.admin();
  const producers = new PartitionProducers(deps.kafka, admin, {
    groupId: options.groupId,
    transactionTimeout: 30_000,
    retry: transactionalRetry,
  });
  await admin.connect();

  // The partitions of the last assignment, and whether the state has been rebuilt for them.
  let assignment: Record<string, number[]> = {};
  let warm = false;
  /** A chunk's records met the state but were not committed: they will be processed again. */
  const forget = () => {
    stage.reset();
    warm = false;
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
    consumed: Consumed,
    heartbeat: () => Promise<void>,
  ): Promise<{ outputs: OutputRecord[]; encoded: EncodedRecord[] }> => {
    const outputs = consumed.kind === 'record' ? transform(consumed.record) : [consumed.letter];
    const encoded =
      encodeRecordsIfKnown(deps.serde, deps.names, outputs) ??
      (await hold('encoding', () => encodeRecords(deps.serde, deps.names, outputs), heartbeat));
    const oversized = encoded.find((e) => messageBytes(e.message) > options.maxRecordBytes);
    if (!oversized || consumed.kind !== 'record') return { outputs, encoded };
    const bytes = messageBytes(oversized.message);
    const { source } = consumed.record;
    log.error(
      { source, topic: oversized.topic, bytes },
      `${stage.name}: an output is over the record size limit; its input is dead-lettered`,
    );
    const letter = [
      tools.letterFor(
        source,
        consumed.message,
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
    producer: Producer,
    chunk: Consumed[],
    { topic, partition, commitOffset }: ChunkPosition,
    heartbeat: () => Promise<void>,
  ): Promise<void> => {
    const outputs: OutputRecord[] = [];
    const encoded: EncodedRecord[] = [];
    try {
      for (const consumed of chunk) {
        const produced = await encodeOutputs(consumed, heartbeat);
        outputs.push(...produced.outputs);
        encoded.push(...produced.encoded);
      }
    } catch (err) {
      // Stopped while holding: the records met the state, nothing is committed; start clean.
      forget();
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
      forget();
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
    deps.metrics.stageRecords.inc({ stage: stage.name, direction: 'in' }, chunk.length);
  };

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
          if (decoded.kind === 'record') transform(decoded.record);
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

  return {
    // A new assignment may bring partitions whose state this instance never saw, and partitions
    // another member (or this consumer before a restart) may still be writing for.
    assigned(memberAssignment) {
      stage.reset();
      assignment = memberAssignment;
      warm = false;
      // Fenced at once, not at the first batch: a partition with nothing new but its last marker
      // needs to know its committed offset too (MarkerCommits). beginBatch fences what this misses.
      producers
        .newGeneration(assignment)
        .then(() => fenceAssigned())
        .catch((err: unknown) =>
          log.debug({ err }, 'fencing the assigned partitions failed; the next batch does'),
        );
    },

    async beginBatch(payload: EachBatchPayload) {
      const { batch } = payload;
      const generation = producers.generation;
      const heartbeat = () => payload.heartbeat();
      if (!warm) {
        await heartbeating(heartbeat, async () => {
          await fenceAssigned();
          await warmUp(heartbeat);
        });
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
      return {
        messages,
        // A newer assignment began (a rebalance, a consumer restart): its owner takes it from here.
        current: () => producers.generation === generation,
        commit: (chunk, position, beat) => commitChunk(fenced.producer, chunk, position, beat),
      };
    },

    async close() {
      await producers.closeAll();
      await admin.disconnect();
    },
  };
}
