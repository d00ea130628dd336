import { offsetsFrom, readPartitions } from '../src/core/kafka/read-range.js';
import type { BenchEnv } from './env.js';

/** Committed messages of a topic (transaction markers and aborted records not counted). */
export async function countMessages(env: BenchEnv, topic: string): Promise<number> {
  let n = 0;
  await readPartitions(env.kafka, topic, await offsetsFrom(env.kafka, topic, undefined), () => {
    n++;
  });
  return n;
}
