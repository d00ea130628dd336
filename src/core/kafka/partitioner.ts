import { Partitioners, type ICustomPartitioner } from 'kafkajs';
import { LruMap } from '../lru-map.js';

/** Keys remembered per topic: far more than the markets a process sees at once. */
const keysPerTopic = 50_000;

/**
 * kafkajs's DefaultPartitioner (Java's murmur2, so a key lands where a Java client would put it),
 * with each key's partition remembered. Its murmur2 runs on 64-bit Long objects, and the
 * processors hashed the same few thousand market keys over and over: 3.6 % of their CPU.
 * A partition given in the message, or a key that is not a string, goes to kafkajs as it is.
 */
export const cachingDefaultPartitioner: ICustomPartitioner = () => {
  const partition = Partitioners.DefaultPartitioner();
  const byTopic = new Map<string, { partitions: number; byKey: LruMap<string, number> }>();
  return (args) => {
    const { topic, partitionMetadata, message } = args;
    const { key } = message;
    if (message.partition != null || typeof key !== 'string') return partition(args);
    let cache = byTopic.get(topic);
    // A topic that gained partitions maps its keys anew, as kafkajs would.
    if (cache?.partitions !== partitionMetadata.length) {
      cache = { partitions: partitionMetadata.length, byKey: new LruMap(keysPerTopic) };
      byTopic.set(topic, cache);
    }
    let chosen = cache.byKey.get(key);
    if (chosen === undefined) {
      chosen = partition(args);
      cache.byKey.set(key, chosen);
    }
    return chosen;
  };
};
