import type { Admin } from 'kafkajs';
import { OddsflowError } from '../errors.js';
import { retry } from '../resilience/backoff.js';
import { topicConfigEntries, topicIds, topicTable, type TopicNames } from './topics.js';

export interface TopicProvisioning {
  partitions: number;
  /** `auto`: three copies on a cluster of three brokers or more, one on a smaller one. */
  replicationFactor: number | 'auto';
}

/**
 * Copies of each partition, and how many must have a write before it is acknowledged (acks=all):
 * with three, a write survives the loss of one broker and the topic stays writable through it.
 */
export function replication(
  requested: number | 'auto',
  brokers: number,
): { factor: number; minInsync: number } {
  const factor = requested === 'auto' ? Math.min(3, brokers) : requested;
  return { factor, minInsync: factor >= 3 ? 2 : 1 };
}

export interface ProvisionedTopic {
  name: string;
  created: boolean;
  partitions: number;
}

/**
 * Runs an admin call again while Kafka says its partitions have no leader yet: a broker that has
 * just (re)started answers before they have ("does not host this topic-partition", "not the
 * leader"), which passes within seconds. kafkajs marks those errors retriable; others fail at once.
 */
export function whileLeadersSettle<T>(call: () => Promise<T>): Promise<T> {
  return retry(
    async () => {
      try {
        return await call();
      } catch (err) {
        const retriable = (err as { retriable?: unknown }).retriable === true;
        throw retriable ? err : new NotRetried(err);
      }
    },
    { attempts: 10, initialMs: 250, maxMs: 3_000 },
  ).catch((err: unknown) => {
    throw err instanceof NotRetried ? err.cause : err;
  });
}

/** Carries an error `retry` must not retry (it retries anything that is not an OddsflowError). */
class NotRetried extends OddsflowError {
  constructor(cause: unknown) {
    super('KAFKA_UNAVAILABLE', 'not retried', { cause, retriable: false });
  }
}

/**
 * Creates every topic of the contract that does not exist yet (existing ones are left as they
 * are: changing partition counts moves keys between partitions and is a deliberate operation).
 */
export function createTopics(
  admin: Admin,
  names: TopicNames,
  provisioning: TopicProvisioning,
): Promise<ProvisionedTopic[]> {
  return whileLeadersSettle(() => createMissingTopics(admin, names, provisioning));
}

async function createMissingTopics(
  admin: Admin,
  names: TopicNames,
  provisioning: TopicProvisioning,
): Promise<ProvisionedTopic[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topicIds.filter((id) => !existing.has(names[id]));
  if (missing.length > 0) {
    const { brokers } = await admin.describeCluster();
    const { factor, minInsync } = replication(provisioning.replicationFactor, brokers.length);
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((id) => ({
        topic: names[id],
        numPartitions: provisioning.partitions,
        replicationFactor: factor,
        configEntries: [
          ...topicConfigEntries(topicTable[id]),
          { name: 'min.insync.replicas', value: String(minInsync) },
        ],
      })),
    });
  }
  const metadata = await admin.fetchTopicMetadata({ topics: topicIds.map((id) => names[id]) });
  const partitions = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
  return topicIds.map((id) => ({
    name: names[id],
    created: missing.includes(id),
    partitions: partitions.get(names[id]) ?? 0,
  }));
}
