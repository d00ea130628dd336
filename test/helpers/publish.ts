import { createKafkaPublisher } from '../../connectors/runtime/kafka-publisher.js';
import type { Config } from '../../src/app/config/load.js';
import type { RawMarketBook } from '../../src/core/generated/avro-types.js';
import { createKafka, createProducer } from '../../src/core/kafka/client.js';
import type { TopicNames } from '../../src/core/kafka/topics.js';
import { createMetrics } from '../../src/core/metrics.js';
import { AvroSerde } from '../../src/core/serde/avro-serde.js';
import { silentLogger } from './stack.js';

/** Publishes raw books to odds.raw the way the connectors do (Avro, keys, idempotent producer). */
export async function publishRawBooks(
  config: Config,
  names: TopicNames,
  books: readonly RawMarketBook[],
  batch = 500,
  metrics = createMetrics(),
): Promise<void> {
  const producer = createProducer(createKafka(config.kafka, { logger: silentLogger }));
  await producer.connect();
  try {
    const publisher = createKafkaPublisher({
      producer,
      serde: new AvroSerde(config.registry, names),
      names,
      metrics,
      clock: { now: Date.now },
    });
    for (let i = 0; i < books.length; i += batch) await publisher.publishBooks(books.slice(i, i + batch));
  } finally {
    await producer.disconnect();
  }
}
