import type { Producer } from 'kafkajs';
import { OddsflowError } from '../../src/errors.js';
import { deadLetter } from '../../src/dead-letter.js';
import { countWritten, encodeByTopic } from '../../src/kafka/encode.js';
import { recordKeys, type OutputRecord } from '../../src/kafka/records.js';
import type { TopicNames } from '../../src/kafka/topics.js';
import type { Metrics } from '../../src/metrics.js';
import type { AvroSerde } from '../../src/serde/avro-serde.js';
import type { RawMarketBook, RawResult } from '../../src/generated/avro-types.js';
import type { Clock, ParseFailure, RawPublisher } from '../contract.js';

export interface KafkaPublisherDeps {
  producer: Producer;
  serde: AvroSerde;
  names: TopicNames;
  metrics: Metrics;
  clock: Clock;
}

/**
 * RawPublisher on Kafka: Avro values, ARCHITECTURE §2 keys, an idempotent producer (acks=all), so
 * a resolved promise means the broker has the records and a retry after a timeout adds no copy.
 */
export function createKafkaPublisher(deps: KafkaPublisherDeps): RawPublisher {
  const send = async (records: readonly OutputRecord[]): Promise<void> => {
    if (records.length === 0) return;
    const topicMessages = await encodeByTopic(deps.serde, deps.names, records);
    try {
      await deps.producer.sendBatch({ topicMessages, acks: -1 });
      countWritten(deps.metrics, topicMessages);
    } catch (err) {
      throw new OddsflowError(
        'KAFKA_UNAVAILABLE',
        `publish to ${topicMessages.map((t) => t.topic).join(', ')} failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  };

  return {
    async publishBooks(books: readonly RawMarketBook[]) {
      await send(books.map((value) => ({ topic: 'oddsRaw', key: recordKeys.rawBook(value), value })));
    },
    async publishResults(results: readonly RawResult[]) {
      await send(results.map((value) => ({ topic: 'resultsRaw', key: recordKeys.rawResult(value), value })));
    },
    async deadLetter(failure: ParseFailure) {
      const value = deadLetter({
        stage: 'parse',
        errors: failure.errors,
        provider: failure.provider,
        source: null,
        key: null,
        originalValue: failure.payload,
        failedAt: deps.clock.now(),
      });
      await send([{ topic: 'deadLetters', key: failure.provider, value }]);
      deps.metrics.deadLetters.inc({ stage: 'parse', reason: value.reasonCode });
    },
  };
}
