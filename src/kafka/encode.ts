import type { Message } from 'kafkajs';
import type { Metrics } from '../metrics.js';
import type { AvroSerde } from '../serde/avro-serde.js';
import type { TopicNames } from './topics.js';
import type { OutputRecord } from './records.js';

/**
 * Encodes output records and groups them by topic name, ready for `sendBatch`. Records keep their
 * order within a topic, which is what per-key ordering on Kafka needs.
 */
export async function encodeByTopic(
  serde: AvroSerde,
  names: TopicNames,
  records: readonly OutputRecord[],
): Promise<{ topic: string; messages: Message[] }[]> {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    const value = await serde.encodeRecord(record);
    const topic = names[record.topic];
    let messages = byTopic.get(topic);
    if (!messages) byTopic.set(topic, (messages = []));
    messages.push({ key: record.key, value });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** Counts what a send wrote, once Kafka acknowledged (or the transaction committed) it. */
export function countWritten(
  metrics: Metrics,
  topicMessages: readonly { topic: string; messages: readonly unknown[] }[],
): void {
  for (const { topic, messages } of topicMessages) metrics.recordsWritten.inc({ topic }, messages.length);
}
