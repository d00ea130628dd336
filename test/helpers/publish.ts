import { openKafkaPublisher, type OwnedKafkaPublisher } from '../../connectors/runtime/kafka-publisher.js';
import type { Config } from '../../src/app/config/load.js';
import type { MarketBook, RawMarketBook } from '../../src/core/generated/avro-types.js';
import { createKafka, createProducer } from '../../src/core/kafka/client.js';
import { encodeByTopic } from '../../src/core/kafka/encode.js';
import { recordKeys } from '../../src/core/kafka/records.js';
import type { TopicNames } from '../../src/core/kafka/topics.js';
import { createMetrics, type Metrics } from '../../src/core/metrics.js';
import { AvroSerde } from '../../src/core/serde/avro-serde.js';
import { silentLogger } from './stack.js';

/**
 * The connectors' own Kafka publisher on the test stack, with a producer of its own: the caller
 * closes it. `serde` is one whose schema ids are already cached (registerAll), for a test that
 * publishes while the registry or the broker is away.
 */
export function openRawPublisher(
  config: Config,
  names: TopicNames,
  options: { serde?: AvroSerde; metrics?: Metrics; maxRecordBytes?: number } = {},
): Promise<OwnedKafkaPublisher> {
  return openKafkaPublisher(createKafka(config.kafka, { logger: silentLogger }), {
    serde: options.serde ?? new AvroSerde(config.registry, names),
    names,
    metrics: options.metrics ?? createMetrics(),
    clock: { now: Date.now },
    maxRecordBytes: options.maxRecordBytes,
  });
}

/** Publishes raw books to odds.raw the way the connectors do (Avro, keys, idempotent producer). */
export async function publishRawBooks(
  config: Config,
  names: TopicNames,
  books: readonly RawMarketBook[],
  batch = 500,
  metrics = createMetrics(),
): Promise<void> {
  const publisher = await openRawPublisher(config, names, { metrics });
  try {
    for (let i = 0; i < books.length; i += batch) await publisher.publishBooks(books.slice(i, i + batch));
  } finally {
    await publisher.close();
  }
}

/**
 * Writes normalized books to odds.normalized as the prepare stage does (Avro, keyed by market),
 * for a test that starts the pipeline there: the enrich stage or the sinks.
 */
export async function publishNormalizedBooks(
  config: Config,
  names: TopicNames,
  books: readonly MarketBook[],
): Promise<void> {
  const topicMessages = await encodeByTopic(
    new AvroSerde(config.registry, names),
    names,
    books.map((value) => ({ topic: 'oddsNormalized', key: recordKeys.market(value), value })),
  );
  const producer = createProducer(createKafka(config.kafka, { logger: silentLogger }));
  await producer.connect();
  try {
    await producer.sendBatch({ topicMessages, acks: -1 });
  } finally {
    await producer.disconnect();
  }
}
