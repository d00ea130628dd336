import type { Message } from 'kafkajs';
import type { Metrics } from '../metrics.js';
import type { AvroSerde } from '../serde/avro-serde.js';
import type { TopicNames } from './topics.js';
import type { OutputRecord } from './records.js';

export interface EncodedRecord {
  topic: string;
  message: Message;
}

/** Encodes output records, in order, each with its topic name. */
export async function encodeRecords(
  serde: AvroSerde,
  names: TopicNames,
  records: readonly OutputRecord[],
): Promise<EncodedRecord[]> {
  const known = encodeRecordsIfKnown(serde, names, records);
  if (known) return known;
  const encoded: EncodedRecord[] = [];
  for (const record of records) {
    encoded.push({
      topic: names[record.topic],
      message: { key: record.key, value: await serde.encodeRecord(record) },
    });
  }
  return encoded;
}

/**
 * `encodeRecords` without waiting: undefined unless every record's schema is registered by this
 * process already (then its caller takes the wait, once). The processors encode nearly every
 * input's outputs this way, without promises of their own.
 */
export function encodeRecordsIfKnown(
  serde: AvroSerde,
  names: TopicNames,
  records: readonly OutputRecord[],
): EncodedRecord[] | undefined {
  const encoded: EncodedRecord[] = [];
  for (const record of records) {
    const value = serde.encodeRecordIfKnown(record);
    if (value === undefined) return undefined;
    encoded.push({ topic: names[record.topic], message: { key: record.key, value } });
  }
  return encoded;
}

/**
 * Encoded records grouped by topic name, ready for `sendBatch`. Records keep their order within
 * a topic, which is what per-key ordering on Kafka needs.
 */
export function groupByTopic(encoded: readonly EncodedRecord[]): { topic: string; messages: Message[] }[] {
  const byTopic = new Map<string, Message[]>();
  for (const { topic, message } of encoded) {
    let messages = byTopic.get(topic);
    if (!messages) byTopic.set(topic, (messages = []));
    messages.push(message);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** encodeRecords, then groupByTopic. */
export async function encodeByTopic(
  serde: AvroSerde,
  names: TopicNames,
  records: readonly OutputRecord[],
): Promise<{ topic: string; messages: Message[] }[]> {
  return groupByTopic(await encodeRecords(serde, names, records));
}

/**
 * Bytes of keys and values per `sendBatch`. kafkajs puts a send's messages for one partition into
 * one record batch and never splits it; the broker refuses a batch over its `message.max.bytes`
 * (1 MiB by default) with MESSAGE_TOO_LARGE, which kafkajs does not retry, so a consumer loop
 * sending a large transaction crashes for good. Half the default leaves room for per-record
 * overhead.
 */
export const maxSendBytes = 512 * 1024;

/**
 * `topicMessages` cut into consecutive sends of at most `maxBytes` each (a single larger message
 * goes alone), keeping the order of each topic's messages across the sends. The messages come back
 * as they went in (of their own type), so another client's messages can be cut the same way.
 */
export function splitBySize<M extends Message>(
  topicMessages: readonly { topic: string; messages: readonly M[] }[],
  maxBytes = maxSendBytes,
): { topic: string; messages: M[] }[][] {
  const sends: { topic: string; messages: M[] }[][] = [];
  let current: { topic: string; messages: M[] }[] = [];
  let bytes = 0;
  for (const { topic, messages } of topicMessages) {
    let entry: { topic: string; messages: M[] } | undefined;
    for (const message of messages) {
      const size = messageBytes(message);
      if (bytes > 0 && bytes + size > maxBytes) {
        sends.push(current);
        current = [];
        entry = undefined;
        bytes = 0;
      }
      if (entry === undefined) current.push((entry = { topic, messages: [] }));
      entry.messages.push(message);
      bytes += size;
    }
  }
  if (current.length > 0) sends.push(current);
  return sends;
}

/** Bytes of a message's key and value, what counts against the broker's record size limit. */
export function messageBytes(message: Message): number {
  return byteLength(message.key) + byteLength(message.value);
}

function byteLength(data: Message['key'] | Message['value']): number {
  if (data === null || data === undefined) return 0;
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}

/** Counts what a send wrote, once Kafka acknowledged (or the transaction committed) it. */
export function countWritten(
  metrics: Metrics,
  topicMessages: readonly { topic: string; messages: readonly unknown[] }[],
): void {
  for (const { topic, messages } of topicMessages) metrics.recordsWritten.inc({ topic }, messages.length);
}
