import type { Batch, Consumer, Kafka } from 'kafkajs';

/**
 * The offset to commit after processing `messages` of `batch`: the next message, or, when they
 * end the batch, past the batch's trailing control records (transaction markers). Committing only
 * past the last *message* leaves every transactional partition with a lag of 1 forever, which
 * makes `oddsflow lag` and drain checks lie; Java consumers commit their position, past markers.
 */
export function nextOffset(batch: Batch, lastProcessed: string, endsBatch: boolean): string {
  const afterMessage = BigInt(lastProcessed) + 1n;
  if (!endsBatch) return afterMessage.toString();
  const afterBatch = BigInt(batch.lastOffset()) + 1n;
  return (afterBatch > afterMessage ? afterBatch : afterMessage).toString();
}

/**
 * Commits past fetched batches that hold only control records (transaction markers). kafkajs
 * never hands those to eachBatch and moves only its own position past them, so without this a
 * transactional partition keeps a lag of 1 (its last marker) for ever and drain checks never end;
 * a Java consumer commits its position, past markers.
 *
 * Such a commit must neither skip data nor move the group back, which a batch fetched before a
 * rebalance (or before this member froze past its session) and reported after it could do. So it
 * commits only where this member knows, in the current assignment, what is committed: a
 * marker-only batch that starts at or before that offset and ends after it.
 */
export class MarkerCommits {
  private readonly known = new Map<string, bigint>();

  constructor(consumer: Consumer, onError: (err: unknown) => void) {
    consumer.on(consumer.events.GROUP_JOIN, () => this.known.clear());
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize !== 0 || payload.firstOffset === null) return;
      const key = `${payload.topic}|${payload.partition}`;
      const committed = this.known.get(key);
      const next = BigInt(payload.lastOffset) + 1n;
      if (committed === undefined || BigInt(payload.firstOffset) > committed || next <= committed) return;
      this.known.set(key, next);
      consumer
        .commitOffsets([{ topic: payload.topic, partition: payload.partition, offset: next.toString() }])
        .catch(onError);
    });
  }

  /** What the group has committed for a partition in the current assignment, as this member knows it. */
  committed(topic: string, partition: number, offset: bigint | string | null): void {
    if (offset === null) return;
    const key = `${topic}|${partition}`;
    const value = BigInt(offset);
    if ((this.known.get(key) ?? -1n) < value) this.known.set(key, value);
  }
}

/** The group's committed offsets of the assigned partitions (those it has committed at all). */
export async function committedOffsets(
  kafka: Kafka,
  groupId: string,
  assignment: Record<string, number[]>,
): Promise<{ topic: string; partition: number; offset: string }[]> {
  const topics = Object.keys(assignment);
  if (topics.length === 0) return [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const byTopic = await admin.fetchOffsets({ groupId, topics });
    return byTopic.flatMap(({ topic, partitions }) =>
      partitions
        .filter((p) => p.offset !== '-1' && (assignment[topic] ?? []).includes(p.partition))
        .map((p) => ({ topic, partition: p.partition, offset: p.offset })),
    );
  } finally {
    await admin.disconnect();
  }
}
