import type { Kafka } from 'kafkajs';
import type { TopicId, TopicNames } from '../kafka/topics.js';
import type { AvroSerde } from '../serde/avro-serde.js';
import type { TopicValues } from '../serde/schemas.js';

export interface RangeOptions {
  /** Kafka timestamps (ms); `from` inclusive. Omitted: from the oldest retained record. */
  fromMs?: number;
  /** Records written after this are left out; the read stops at the end offsets of its start. */
  toMs?: number;
}

/**
 * Every committed record of a topic in a time range, decoded: start offsets from the broker's
 * time index, end at the end offsets taken when the read starts (so it finishes on a live topic).
 * A throwaway consumer group that commits nothing.
 */
export async function readTopicRange<T extends TopicId>(
  kafka: Kafka,
  serde: AvroSerde,
  names: TopicNames,
  topic: T,
  range: RangeOptions,
): Promise<{ value: TopicValues[T]; timestamp: number }[]> {
  const name = names[topic];
  const admin = kafka.admin();
  await admin.connect();
  let starts: Map<number, string>;
  let ends: Map<number, bigint>;
  try {
    const latest = await admin.fetchTopicOffsets(name);
    ends = new Map(latest.map((p) => [p.partition, BigInt(p.high)]));
    const first =
      range.fromMs === undefined
        ? latest.map((p) => ({ partition: p.partition, offset: p.low }))
        : await admin.fetchTopicOffsetsByTimestamp(name, range.fromMs);
    starts = new Map(
      first.map((p) => [p.partition, p.offset === '-1' ? String(ends.get(p.partition) ?? 0n) : p.offset]),
    );
  } finally {
    await admin.disconnect();
  }
  const pending = new Set(
    [...ends].filter(([partition, end]) => BigInt(starts.get(partition) ?? '0') < end).map(([p]) => p),
  );
  const out: { value: TopicValues[T]; timestamp: number }[] = [];
  if (pending.size === 0) return out;

  const consumer = kafka.consumer({
    groupId: `oddsflow-read-${process.pid}-${Date.now()}`,
    readUncommitted: false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: name, fromBeginning: true });
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    // A partition is done when the read passed its end offset. The last offsets of a
    // transactional topic are commit markers, which no message carries: the batch's last offset
    // (reported for marker-only batches too) counts them.
    const reached = (partition: number, lastOffset: string) => {
      if (pending.has(partition) && BigInt(lastOffset) + 1n >= (ends.get(partition) ?? 0n)) {
        pending.delete(partition);
        if (pending.size === 0) finish();
      }
    };
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const [partition, offset] of starts) consumer.seek({ topic: name, partition, offset });
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      reached(payload.partition, payload.lastOffset),
    );
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (!pending.has(batch.partition)) return;
        const end = ends.get(batch.partition) ?? 0n;
        for (const message of batch.messages) {
          if (BigInt(message.offset) >= end) break; // written after the read began
          const timestamp = Number(message.timestamp);
          if (range.toMs === undefined || timestamp <= range.toMs) {
            out.push({ value: await serde.decode(topic, message.value ?? Buffer.alloc(0)), timestamp });
          }
        }
      },
    });
    await finished;
  } finally {
    await consumer.disconnect();
  }
  return out;
}
