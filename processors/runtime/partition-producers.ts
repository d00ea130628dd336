import type { Admin, Kafka, Producer } from 'kafkajs';
import { createProducer } from '../../src/core/kafka/client.js';

export interface FencedProducer {
  producer: Producer;
  /**
   * The group's committed offset of the partition, read right after the fence: records below it
   * were committed by the partition's previous owner (a transaction that completed before the
   * fence) and must not be processed again. Null when the group has none.
   */
  committed: bigint | null;
  generation: number;
}

/**
 * One transactional producer per input partition, its transactional id made of the consumer group,
 * the topic and the partition — not of the instance. Whichever member owns the partition next
 * initialises a producer under the same id, and the broker then fences the previous owner's
 * producer (a zombie that outlived its session, or this process's own consumer before kafkajs
 * restarted it): its open transaction is aborted, and its commit, should it still try, fails with
 * PRODUCER_FENCED. KIP-447 would do this with one producer and the group generation, but kafkajs's
 * TxnOffsetCommit (v0–v1) carries no generation.
 *
 * Each new assignment (a rebalance, a consumer restart) opens a new generation: a partition's
 * producer is fenced again before its first transaction in it, and the committed offset is read
 * only after the fence, when the broker has finished whatever transaction was pending for it.
 */
export class PartitionProducers {
  /** Per partition, its producer of the generation it was fenced in (a promise while that runs). */
  private readonly producers = new Map<string, Promise<FencedProducer>>();
  private current = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly options: {
      groupId: string;
      transactionTimeout: number;
      retry: { initialRetryTime: number; maxRetryTime: number; retries: number };
    },
  ) {}

  get generation(): number {
    return this.current;
  }

  /** The partition's transactional id: the same in every member of the group. */
  transactionalId(topic: string, partition: number): string {
    return `${this.options.groupId}.${topic}.${partition}`;
  }

  /**
   * A new assignment: producers of partitions no longer assigned are closed, the others are
   * fenced again before their next transaction.
   */
  async newGeneration(assignment: Record<string, number[]>): Promise<void> {
    this.current++;
    const assigned = new Set(
      Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}|${p}`)),
    );
    const gone = [...this.producers].filter(([key]) => !assigned.has(key));
    for (const [key] of gone) this.producers.delete(key);
    await Promise.allSettled(gone.map(async ([, entry]) => (await entry).producer.disconnect()));
  }

  /** The partition's producer, fenced in the current generation (see the class comment). */
  forPartition(topic: string, partition: number): Promise<FencedProducer> {
    const key = `${topic}|${partition}`;
    const generation = this.current;
    const existing = this.producers.get(key);
    const fenced = (async () => {
      const previous = await existing?.catch(() => undefined);
      if (previous && previous.generation === generation) return previous;
      await previous?.producer.disconnect().catch(() => undefined);
      return this.fence(topic, partition, generation);
    })();
    // Concurrent callers of one generation share the fence: a second InitProducerId would fence the first.
    this.producers.set(key, fenced);
    fenced.catch(() => {
      if (this.producers.get(key) === fenced) this.producers.delete(key);
    });
    return fenced;
  }

  async closeAll(): Promise<void> {
    const all = [...this.producers.values()];
    this.producers.clear();
    await Promise.allSettled(all.map(async (entry) => (await entry).producer.disconnect()));
  }

  private async fence(topic: string, partition: number, generation: number): Promise<FencedProducer> {
    const producer = createProducer(this.kafka, {
      transactionalId: this.transactionalId(topic, partition),
      transactionTimeout: this.options.transactionTimeout,
      retry: this.options.retry,
    });
    await producer.connect();
    try {
      // The fence is the transactional InitProducerId, which kafkajs sends only when the first
      // transaction begins (connect() initialises a plain idempotent id): an empty transaction,
      // begun and aborted at once, sends it now. The broker answers it only once the previous
      // epoch's transaction is finished (committed or aborted), so the offset read next is final.
      const empty = await producer.transaction();
      await empty.abort();
      const [offsets] = await this.admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] });
      const offset = offsets?.partitions.find((p) => p.partition === partition)?.offset;
      const committed = offset === undefined || offset === '-1' ? null : BigInt(offset);
      return { producer, committed, generation };
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
  }
}
