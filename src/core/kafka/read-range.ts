import type { Kafka, KafkaMessage } from 'kafkajs';
import { whileLeadersSettle } from './admin.js';
import type { TopicId, TopicNames } from './topics.js';
import type { AvroSerde } from '../serde/avro-serde.js';
import type { TopicValues } from '../serde/schemas.js';

/** Offsets to read of one partition: from `start` (inclusive) to `end` (exclusive). */
export interface PartitionRange {
  start: string;
  end: bigint;
}

/**
 * Every committed message of the given partitions within their ranges, in order per partition,
 * through a throwaway consumer group that commits nothing. A partition is done when the read
 * passed its end: the last offsets of a transactional topic are commit markers, which no message
 * carries, so the batch's last offset (reported for marker-only batches too) is what counts.
 * An error thrown by `onMessage` ends the read and rejects with it: left to kafkajs, it would
 * restart the consumer and read again for ever (a stop while the processors rebuilt their state
 * hung so, until the role's stop timeout).
 */
export async function readPartitions(
  kafka: Kafka,
  topic: string,
  ranges: ReadonlyMap<number, PartitionRange>,
  onMessage: (message: KafkaMessage, partition: number) => Promise<void> | void,
): Promise<void> {
  const pending = new Set([...ranges].filter(([, r]) => BigInt(r.start) < r.end).map(([p]) => p));
  if (pending.size === 0) return;
  const consumer = kafka.consumer({
    groupId: `oddsflow-read-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    readUncommitted: false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let finish!: () => void;
    let fail!: (err: unknown) => void;
    let failed = false;
    const finished = new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = (err) => {
        failed = true;
        reject(err instanceof Error ? err : new Error(String(err)));
      };
    });
    const reached = (partition: number, lastOffset: string) => {
      const range = ranges.get(partition);
      if (range && pending.has(partition) && BigInt(lastOffset) + 1n >= range.end) {
        pending.delete(partition);
        if (pending.size === 0) finish();
      }
    };
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const [partition, range] of ranges) consumer.seek({ topic, partition, offset: range.start });
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      reached(payload.partition, payload.lastOffset),
    );
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const range = ranges.get(batch.partition);
        if (failed || !range || !pending.has(batch.partition)) return;
        for (const message of batch.messages) {
          if (BigInt(message.offset) >= range.end) break; // written after the read began
          try {
            await onMessage(message, batch.partition);
          } catch (err) {
            fail(err);
            return;
          }
        }
      },
    });
    await finished;
  } finally {
    await consumer.disconnect();
  }
}

/** Start offsets at `fromMs` (the broker's time index), or the oldest retained, per partition. */
export async function offsetsFrom(
  kafka: Kafka,
  topic: string,
  fromMs: number | undefined,
): Promise<Map<number, { start: string; end: bigint }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const latest = await whileLeadersSettle(() => admin.fetchTopicOffsets(topic));
    const ends = new Map(latest.map((p) => [p.partition, BigInt(p.high)]));
    const first =
      fromMs === undefined
        ? latest.map((p) => ({ partition: p.partition, offset: p.low }))
        : await whileLeadersSettle(() => admin.fetchTopicOffsetsByTimestamp(topic, fromMs));
    return new Map(
      first.map((p) => {
        const end = ends.get(p.partition) ?? 0n;
        return [p.partition, { start: p.offset === '-1' ? String(end) : p.offset, end }];
      }),
    );
  } finally {
    await admin.disconnect();
  }
}

export interface RangeOptions {
  /** Kafka timestamps (ms); `from` inclusive. Omitted: from the oldest retained record. */
  fromMs?: number;
  /** Records written after this are left out; the read stops at the end offsets of its start. */
  toMs?: number;
}

/** Every committed record of a topic in a time range, decoded; ends at the end offsets of its start. */
export async function readTopicRange<T extends TopicId>(
  kafka: Kafka,
  serde: AvroSerde,
  names: TopicNames,
  topic: T,
  range: RangeOptions,
): Promise<{ value: TopicValues[T]; timestamp: number }[]> {
  const out: { value: TopicValues[T]; timestamp: number }[] = [];
  const ranges = await offsetsFrom(kafka, names[topic], range.fromMs);
  await readPartitions(kafka, names[topic], ranges, async (message) => {
    const timestamp = Number(message.timestamp);
    // Tombstones (a compacted topic's deletions) carry no record.
    if (message.value !== null && (range.toMs === undefined || timestamp <= range.toMs)) {
      out.push({ value: await serde.decode(topic, message.value), timestamp });
    }
  });
  return out;
}
