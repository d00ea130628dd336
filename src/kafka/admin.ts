import type { Admin } from 'kafkajs';
import { topicConfigEntries, topicIds, topicTable, type TopicNames } from './topics.js';

export interface TopicProvisioning {
  partitions: number;
  replicationFactor: number;
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
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((id) => ({
        topic: names[id],
        numPartitions: provisioning.partitions,
        replicationFactor: provisioning.replicationFactor,
        configEntries: topicConfigEntries(topicTable[id]),
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
