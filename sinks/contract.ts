import type { z } from 'zod';
import type { TopicId } from '../src/core/kafka/topics.js';
import type { Logger } from '../src/core/logger.js';
import type { Metrics } from '../src/core/metrics.js';
import type { TopicValues } from '../src/core/serde/schemas.js';

/** One decoded Kafka record handed to a sink, with where it came from. */
export type SinkRecord<T extends TopicId = TopicId> = {
  [K in T]: {
    topic: K;
    value: TopicValues[K];
    key: string | null;
    partition: number;
    offset: string;
    /** Kafka message timestamp (ms). */
    timestamp: number;
  };
}[T];

/**
 * A store writer. The sink runner (a Kafka consumer group per sink) hands it batches and commits
 * the batch's offsets only after `writeBatch` resolves, so:
 * - `writeBatch` must be durable when it resolves (committed transaction, acknowledged pipeline);
 * - it must be idempotent (a batch is written again after a crash before the commit): upserts on
 *   natural keys, never blind inserts;
 * - on failure it throws (a retriable `StoreError` for an outage): the runner pauses consumption,
 *   retries the same batch with backoff, and resumes by itself.
 */
export interface Sink {
  readonly name: string;
  /** The topics whose records this sink writes. */
  readonly topics: readonly TopicId[];
  /** Prepares the store (migrations, scripts); called once before the first batch. */
  start(): Promise<void>;
  writeBatch(records: readonly SinkRecord[]): Promise<void>;
  /** Releases what `start` acquired; the store clients themselves belong to the caller. */
  stop(): Promise<void>;
}

export interface SinkDepsBase {
  logger: Logger;
  metrics: Metrics;
  clock: { now(): number };
}

/**
 * A sink's environment settings (src/app/config/settings.ts composes every sink's), each default
 * its config's, and the config's input made of their values.
 */
export interface SinkSettings<Shape extends z.ZodRawShape = z.ZodRawShape> {
  shape: Shape;
  configFrom(settings: z.output<z.ZodObject<Shape>>): z.input<z.ZodType>;
}

/** What every sink module exports; the registry (registry.ts) lists them. */
export interface SinkModule<
  S extends z.ZodType = z.ZodType,
  D extends SinkDepsBase = SinkDepsBase,
  E extends SinkSettings = SinkSettings,
> {
  name: string;
  configSchema: S;
  settings: E;
  create(config: z.output<S>, deps: D): Sink;
}
