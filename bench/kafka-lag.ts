import type { Admin } from 'kafkajs';

/**
 * Messages of `topics` that consumer group `groupId` has not committed yet (a partition it never
 * committed counts from 0). Offsets of transaction markers count too; the roles commit past
 * them, so a group that has read everything is at 0.
 */
export async function groupLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  let lag = 0;
  for (const { topic, partitions } of committed) {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
    for (const [partition, end] of ends) {
      const offset = partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      const at = offset === '-1' ? 0n : BigInt(offset);
      if (end > at) lag += Number(end - at);
    }
  }
  return lag;
}
