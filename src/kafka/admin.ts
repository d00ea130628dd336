import type { Admin } from 'kafkajs';
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
 * Creates every topic of the contract that does not exist yet (existing ones are left as they
 * are: changing partition counts moves keys between partitions and is a deliberate operation).
 */
export async function createTopics(
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
