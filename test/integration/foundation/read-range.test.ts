import { afterAll, describe, expect, it } from 'vitest';
import { createKafka, createProducer } from '../../../src/core/kafka/client.js';
import { offsetsFrom, readPartitions } from '../../../src/core/kafka/read-range.js';
import { randomId, silentLogger, testConfig } from '../../helpers/stack.js';

describe('readPartitions', () => {
  const kafka = createKafka(testConfig().kafka, { logger: silentLogger });
  const topic = randomId('read-range');
  const admin = kafka.admin();
  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('reads every message of the ranges in order, and ends with the error its callback throws', async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({ topic, messages: ['a', 'b', 'c', 'd'].map((value) => ({ value })) });
    await producer.disconnect();
    const ranges = await offsetsFrom(kafka, topic, undefined);

    const all: string[] = [];
    await readPartitions(kafka, topic, ranges, (m) => void all.push(m.value!.toString()));
    expect(all).toEqual(['a', 'b', 'c', 'd']);

    // Left to kafkajs the error would restart the read for ever (a stop during a state rebuild hung so).
    const seen: string[] = [];
    const read = readPartitions(kafka, topic, ranges, (m) => {
      seen.push(m.value!.toString());
      if (seen.length === 2) throw new Error('stopped while holding');
    });
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error('the read did not end')), 30_000),
    );
    await expect(Promise.race([read, timeout])).rejects.toThrow('stopped while holding');
    expect(seen).toEqual(['a', 'b']);
  });
});
