import { Partitioners, type PartitionerArgs, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { cachingDefaultPartitioner } from '../../../src/core/kafka/partitioner.js';

const metadata = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));

const args = (topic: string, partitions: number, message: PartitionerArgs['message']): PartitionerArgs => ({
  topic,
  partitionMetadata: metadata(partitions),
  message,
});

describe('cachingDefaultPartitioner', () => {
  it("puts every key where kafkajs's DefaultPartitioner (Java's murmur2) does, asked once or many times", () => {
    const cached = cachingDefaultPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    const keys = Array.from({ length: 500 }, (_, i) => `horse-racing/2026-03-01/ascot/${1300 + i}:WIN`);
    for (const partitions of [1, 3, 6, 12]) {
      for (let round = 0; round < 3; round++) {
        for (const key of keys) {
          const a = args('odds.normalized', partitions, { key, value: null });
          expect(cached(a)).toBe(reference(a));
        }
      }
    }
  });

  it('maps keys anew when a topic gains partitions, and keeps topics apart', () => {
    const cached = cachingDefaultPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    const keys = Array.from({ length: 50 }, (_, i) => `market-${i}`);
    const on = (topic: string, partitions: number) =>
      keys.map((key) => cached(args(topic, partitions, { key, value: null })));
    const expected = (partitions: number) =>
      keys.map((key) => reference(args('t', partitions, { key, value: null })));
    expect(on('a', 6)).toEqual(expected(6));
    expect(on('a', 12)).toEqual(expected(12));
    expect(on('b', 3)).toEqual(expected(3));
    expect(on('a', 12)).toEqual(expected(12));
    expect(expected(6)).not.toEqual(expected(12));
  });

  it('keeps a partition given in the message and hands a Buffer key to kafkajs as it is', () => {
    const cached = cachingDefaultPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    expect(cached(args('t', 6, { key: 'k', value: null, partition: 4 }))).toBe(4);
    const buffer = Buffer.from('market-7');
    expect(cached(args('t', 6, { key: buffer, value: null }))).toBe(
      reference(args('t', 6, { key: buffer, value: null })),
    );
  });
});
