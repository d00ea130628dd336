import type { CopySpec } from '../scenarios/passthrough.js';
import type { CopyTiming } from '../timed-copy.js';

export const abClientNames = ['kafkajs', 'platformatic'] as const;
export type AbClientName = (typeof abClientNames)[number];

/** A message as both clients are given it: key and value already bytes, so neither converts. */
export interface AbMessage {
  key: Buffer;
  value: Buffer;
}

export interface AbProducer {
  /** Sends the messages in one request; resolves once Kafka acknowledged all of them. */
  send(messages: readonly AbMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** One Kafka client, set up as the project sets up its own, through the A/B's two jobs. */
export interface AbClient {
  name: AbClientName;
  /**
   * An idempotent producer (acks=all, Java's murmur2 partitioner) for `topic`, connected with its
   * producer id, so that timing its sends times sending.
   */
  producer(topic: string): Promise<AbProducer>;
  /**
   * The processors' loop without their work: a new consumer group reading committed records,
   * one transaction per partition batch with its offsets inside.
   */
  copy(scenario: string, spec: Required<CopySpec>): Promise<CopyTiming>;
}

/** What one run measured of one client. */
export interface AbMeasurement {
  produceMsgsPerS: number;
  hopMsgsPerS: number;
  /** CPU time of the bench process (user + system) during the hop, per message copied. */
  cpuUsPerMsg: number;
}

export type AbMetric = 'produce_msgs_per_s' | 'hop_msgs_per_s' | 'cpu_us_per_msg';

/** `client_ab.<client>.<metric>`, as bench/results.json lists it. */
export function clientAbResultName(client: AbClientName, metric: AbMetric): string {
  return `client_ab.${client}.${metric}`;
}
