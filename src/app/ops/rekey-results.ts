import type { Kafka } from 'kafkajs';
import { createProducer } from '../../core/kafka/client.js';
import { recordKeys } from '../../core/kafka/records.js';
import type { TopicNames } from '../../core/kafka/topics.js';
import type { AvroSerde } from '../../core/serde/avro-serde.js';
import { offsetsFrom, readPartitions } from '../../core/kafka/read-range.js';

export interface RekeyOutcome {
  /** Records read (tombstones excluded). */
  read: number;
  /** Records written again under their per-market key. */
  republished: number;
  /** Old keys deleted (a tombstone each). */
  tombstones: number;
}

/**
 * The one-off move of results.normalized to the per-market key (issue 13): every record still
 * under an older key (the event id alone) is written again, bytes unchanged, under
 * `eventId:marketId:provider`, then each older key gets a tombstone so compaction removes it.
 * Run it once after the processors that write the new key are deployed; running it again finds
 * nothing to do. Results compaction already dropped (a race's WIN result when its PLACE result
 * shared the key) are not on the topic any more: replay results.raw for those (docs/queries.md).
 */
export async function rekeyResults(
  kafka: Kafka,
  serde: AvroSerde,
  names: TopicNames,
  options: { dryRun: boolean },
): Promise<RekeyOutcome> {
  const topic = names.resultsNormalized;
  const ranges = await offsetsFrom(kafka, topic, undefined);
  const found: { oldKey: string | null; key: string; value: Buffer }[] = [];
  // Keys already tombstoned (by an earlier run): their records are deleted, waiting for compaction.
  const tombstoned = new Set<string>();
  let read = 0;
  await readPartitions(kafka, topic, ranges, async (message) => {
    const current = message.key?.toString() ?? null;
    if (message.value === null) {
      if (current !== null) tombstoned.add(current);
      return;
    }
    read++;
    const result = await serde.decode('resultsNormalized', message.value);
    const key = recordKeys.result(result);
    if (current !== key) found.push({ oldKey: current, key, value: message.value });
  });
  const moves = found.filter((m) => m.oldKey === null || !tombstoned.has(m.oldKey));
  const oldKeys = new Set(moves.flatMap((m) => (m.oldKey === null ? [] : [m.oldKey])));
  if (!options.dryRun && moves.length > 0) {
    const producer = createProducer(kafka);
    await producer.connect();
    try {
      // The new records first: a tombstone must never be the only trace of a result.
      await producer.send({ topic, acks: -1, messages: moves.map(({ key, value }) => ({ key, value })) });
      await producer.send({
        topic,
        acks: -1,
        messages: [...oldKeys].map((key) => ({ key, value: null })),
      });
    } finally {
      await producer.disconnect();
    }
  }
  return { read, republished: moves.length, tombstones: oldKeys.size };
}
