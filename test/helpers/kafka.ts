import type { Kafka } from 'kafkajs';
import { randomId } from './stack.js';

/**
 * Every committed message of `topic` from the beginning, read with a fresh group (read_committed),
 * once `expected` messages have arrived or `timeoutMs` has passed.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  options: { expected: number; timeoutMs?: number },
): Promise<{ key: string | null; value: Buffer; partition: number; offset: string }[]> {
  const consumer = kafka.consumer({ groupId: randomId('reader'), readUncommitted: false });
  const messages: { key: string | null; value: Buffer; partition: number; offset: string }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message, partition }) => {
        messages.push({
          key: message.key?.toString() ?? null,
          value: message.value ?? Buffer.alloc(0),
          partition,
          offset: message.offset,
        });
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    while (messages.length < options.expected && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    // a little longer, to catch anything beyond the expected count (a duplicate)
    await new Promise((r) => setTimeout(r, 1500));
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** Sum of the end offsets (high watermarks) of a topic. */
export async function endOffsetSum(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}
