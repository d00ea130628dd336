import type { DeadLetterStage } from '../../src/core/dead-letter.js';
import type { OutputRecord, SourcePosition } from '../../src/core/kafka/records.js';
import type { TopicId } from '../../src/core/kafka/topics.js';
import type { TopicValues } from '../../src/core/serde/schemas.js';

/** A decoded input record of a processor stage, with its position for dead letters. */
export type StageInput<T extends TopicId = TopicId> = {
  [K in T]: {
    topic: K;
    value: TopicValues[K];
    key: Buffer | null;
    /** The message value byte for byte, kept for dead letters. */
    raw: Buffer;
    /** Null offline (`oddsflow transform`), where records come from a file, not a topic. */
    source: SourcePosition | null;
  };
}[T];

/**
 * One consume-transform-produce step of the processors. `process` is synchronous and never
 * throws for bad data (it returns dead-letter records instead), so one bad record can never stall
 * a partition; the runtime owns Kafka, transactions and offsets.
 */
export interface ProcessorStage<T extends TopicId = TopicId> {
  readonly name: string;
  readonly inputs: readonly T[];
  /** Stage name recorded on dead letters this stage writes for undecodable input. */
  readonly deadLetterStage: DeadLetterStage;
  process(input: StageInput<T>): OutputRecord[];
  /**
   * How much recent input (by Kafka record time) rebuilds the state after an assignment or a
   * reset: the loop replays it through `process`, discarding the outputs, before new records.
   * Absent: the state starts empty (it only saves work, like a dedupe cache).
   */
  readonly warmupMs?: number;
  /**
   * State the stage writes to a compacted topic of its own, keyed and partitioned like its input
   * (features.opening): after an assignment or a reset, the loop reads the partitions matching
   * the assigned input partitions from the start, handing each value to `apply`, before warm-up.
   */
  readonly restoreFrom?: { topic: TopicId; apply(value: TopicValues[TopicId]): void };
  /**
   * Forgets all state. Called when a transaction aborts (its records will be processed again and
   * must not meet state they already changed) and when partitions are reassigned.
   */
  reset(): void;
}
