/**
 * A Map that keeps at most `capacity` entries, forgetting the least recently used one first
 * (a JavaScript Map iterates in insertion order, so re-inserting on use is enough). The one LRU of
 * the project: connectors and processors bound every cache and every piece of state with it.
 */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`LRU capacity ${capacity} is not a positive integer`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** The value without counting as a use. */
  peek(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /**
   * Stores `value` as the most recently used entry and returns the entry forgotten to make room
   * for it, if any (callers that keep something about their entries elsewhere clean it up).
   */
  set(key: K, value: V): [K, V] | undefined {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size <= this.capacity) return undefined;
    for (const oldest of this.entries) {
      this.entries.delete(oldest[0]);
      return oldest;
    }
    return undefined;
  }

  clear(): void {
    this.entries.clear();
  }

  /** Least recently used first. Deleting the entry just visited is safe. */
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries[Symbol.iterator]();
  }

  /** Least recently used first. */
  values(): MapIterator<V> {
    return this.entries.values();
  }
}
