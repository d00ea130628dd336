import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka, Producer, TopicMessages } from 'kafkajs';
import { OddsflowError } from '../../src/core/errors.js';
import { createProducer } from '../../src/core/kafka/client.js';
import { parseFailureLetter } from '../../src/core/dead-letter.js';
import {
  countWritten,
  encodeRecords,
  groupByTopic,
  messageBytes,
  splitBySize,
} from '../../src/core/kafka/encode.js';
import { produceError, tooLarge } from '../../src/core/kafka/produce-errors.js';
import { recordKeys, type OutputRecord } from '../../src/core/kafka/records.js';
import type { TopicNames } from '../../src/core/kafka/topics.js';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import { backoffDelay } from '../../src/core/resilience/backoff.js';
import type { AvroSerde } from '../../src/core/serde/avro-serde.js';
import type { RawMarketBook, RawResult } from '../../src/core/generated/avro-types.js';
import type { Clock, ParseFailure, RawPublisher } from '../contract.js';

export interface KafkaPublisherDeps {
  producer: Producer;
  serde: AvroSerde;
  names: TopicNames;
  metrics: Metrics;
  clock: Clock;
  logger?: Logger;
  /** Ends the retries of a publish that waits for Kafka (shutdown). */
  signal?: AbortSignal;
  /** Records larger than this (key and value) are refused before sending; default maxRecordBytes. */
  maxRecordBytes?: number;
}

/**
 * Below the broker's default `message.max.bytes` (1,048,588), with room for the record's own
 * overhead: a larger record would be refused by the broker (ODDSFLOW_MAX_RECORD_BYTES).
 */
export const maxRecordBytes = 1_000_000;

const retryPolicy = { initialMs: 200, maxMs: 10_000 };

/**
 * RawPublisher on Kafka: Avro values, ARCHITECTURE §2 keys, an idempotent producer (acks=all), so
 * a resolved promise means the broker has the records. While Kafka is unreachable (a broker
 * restart, a network cut) a publish waits and retries with backoff instead of failing: the
 * connectors await it, so they hold their position and nothing is dropped. Only shutdown
 * (`signal`) ends the wait, with a retriable KAFKA_UNAVAILABLE. A record Kafka can never take
 * (over the size limit, refused by the broker as too large or invalid) fails the publish at
 * once with a non-retriable KAFKA_RECORD_REJECTED, so the connector dead-letters its payload
 * instead of retrying for ever.
 */
export function createKafkaPublisher(deps: KafkaPublisherDeps): RawPublisher {
  const limit = deps.maxRecordBytes ?? maxRecordBytes;
  const sendChunk = async (chunk: TopicMessages[]): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await deps.producer.sendBatch({ topicMessages: chunk, acks: -1 });
        if (attempt > 0)
          deps.logger?.info({ attempts: attempt + 1 }, 'Kafka reachable again; publishing resumed');
        return;
      } catch (err) {
        const topics = chunk.map((t) => t.topic).join(', ');
        const failure = produceError(err, `publish to ${topics}`);
        if (!failure.retriable) throw failure;
        if (deps.signal?.aborted) {
          throw new OddsflowError(
            'KAFKA_UNAVAILABLE',
            `publish to ${topics} abandoned at shutdown: ${(err as Error).message}`,
            { cause: err },
          );
        }
        if (attempt === 0)
          deps.logger?.warn({ err }, `publish to ${topics} failed; holding and retrying until Kafka answers`);
        await sleep(
          backoffDelay(attempt, retryPolicy),
          undefined,
          deps.signal ? { signal: deps.signal } : undefined,
        ).catch(() => undefined);
      }
    }
  };

  const send = async (records: readonly OutputRecord[]): Promise<void> => {
    if (records.length === 0) return;
    const encoded = await encodeRecords(deps.serde, deps.names, records);
    const oversized = encoded.find(({ message }) => messageBytes(message) > limit);
    if (oversized) throw tooLarge(oversized.topic, messageBytes(oversized.message), limit);
    const topicMessages = groupByTopic(encoded);
    for (const chunk of splitBySize(topicMessages)) await sendChunk(chunk);
    countWritten(deps.metrics, topicMessages);
  };

  return {
    async publishBooks(books: readonly RawMarketBook[]) {
      await send(books.map((value) => ({ topic: 'oddsRaw', key: recordKeys.rawBook(value), value })));
      const at = deps.clock.now();
      for (const book of books) deps.metrics.recordPublished(book.provider, book.sport, at);
    },
    async publishResults(results: readonly RawResult[]) {
      await send(results.map((value) => ({ topic: 'resultsRaw', key: recordKeys.rawResult(value), value })));
    },
    async deadLetter(failure: ParseFailure) {
      const value = parseFailureLetter(failure, deps.clock.now());
      await send([{ topic: 'deadLetters', key: failure.provider, value }]);
      deps.metrics.deadLetters.inc({ stage: 'parse', reason: value.reasonCode });
    },
  };
}

/** A Kafka publisher on a producer of its own; `close` disconnects that producer. */
export interface OwnedKafkaPublisher extends RawPublisher {
  close(): Promise<void>;
}

/**
 * Connects a producer of `kafka` and publishes through it: for what only publishes (replay,
 * backfill, the bench, tests), where the connectors role shares one producer among its connectors.
 */
export async function openKafkaPublisher(
  kafka: Kafka,
  deps: Omit<KafkaPublisherDeps, 'producer'>,
): Promise<OwnedKafkaPublisher> {
  const producer = createProducer(kafka);
  await producer.connect();
  return { ...createKafkaPublisher({ ...deps, producer }), close: () => producer.disconnect() };
}
