import type { Admin } from 'kafkajs';

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  /** Null when the group has committed nothing on this partition yet. */
  committed: string | null;
  end: string;
  lag: number;
  /** Estimated age of the oldest unconsumed message, in seconds; 0 when caught up, null if unknown. */
  timeLagSeconds: number | null;
}

/**
 * The earliest timestamp whose first offset is past `offset`, found by bisection over
 * fetchTopicOffsetsByTimestamp: the broker's time index answers "first offset at or after T", so
 * the committed offset's message was produced between the last T that maps at or before it and
 * the first T that maps past it.
 */
async function timeOfOffset(
  admin: Admin,
  topic: string,
  partition: number,
  offset: bigint,
  now: number,
  horizonMs: number,
): Promise<number | null> {
  let lo = now - horizonMs;
  let hi = now;
  const firstOffsetAt = async (ts: number): Promise<bigint> => {
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, ts);
    const entry = offsets.find((o) => o.partition === partition);
    return BigInt(entry?.offset ?? '-1');
  };
  const atLo = await firstOffsetAt(lo);
  if (atLo > offset) return null; // older than the horizon
  for (let i = 0; i < 20 && hi - lo > 500; i++) {
    const mid = Math.floor((lo + hi) / 2);
    const at = await firstOffsetAt(mid);
    if (at === -1n || at > offset) hi = mid;
    else lo = mid;
  }
  return lo;
}

export interface LagOptions {
  groups: string[];
  now: number;
  /** How far back the time-lag estimate searches (beyond it the estimate is null). */
  horizonMs?: number;
}

/** Committed offset, end offset, lag and an estimated time lag per group, topic and partition. */
export async function measureLag(admin: Admin, options: LagOptions): Promise<PartitionLag[]> {
  const rows: PartitionLag[] = [];
  const horizonMs = options.horizonMs ?? 24 * 3600 * 1000;
  // A group keeps its offsets of a deleted topic until it expires: asking for that topic's end
  // offsets would fail (after retries) the whole measurement.
  const existing = new Set(await admin.listTopics());
  for (const group of options.groups) {
    const committedByTopic = await admin.fetchOffsets({ groupId: group });
    for (const { topic, partitions } of committedByTopic) {
      if (!existing.has(topic)) continue;
      // End offsets read after the committed ones, so a busy group cannot appear ahead of the end.
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
      for (const { partition, offset } of partitions) {
        const end = ends.get(partition) ?? '0';
        const committed = offset === '-1' ? null : offset;
        const difference = BigInt(end) - BigInt(committed ?? '0');
        const lag = difference > 0n ? Number(difference) : 0;
        let timeLagSeconds: number | null = 0;
        if (lag > 0) {
          const produced = await timeOfOffset(
            admin,
            topic,
            partition,
            BigInt(committed ?? '0'),
            options.now,
            horizonMs,
          );
          timeLagSeconds = produced === null ? null : Math.max(0, (options.now - produced) / 1000);
        }
        rows.push({ group, topic, partition, committed, end, lag, timeLagSeconds });
      }
    }
  }
  return rows;
}

/** Consumer groups of this deployment (the roles' groups share the client id prefix). */
export async function oddsflowGroups(admin: Admin, prefix: string): Promise<string[]> {
  const { groups } = await admin.listGroups();
  return groups
    .map((g) => g.groupId)
    .filter((id) => id.startsWith(prefix))
    .sort();
}
