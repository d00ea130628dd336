import { describe, expect, it } from 'vitest';
import { LruMap } from '../../../src/core/lru-map.js';

const filled = (capacity: number, keys: string[]) => {
  const lru = new LruMap<string, number>(capacity);
  keys.forEach((key, i) => lru.set(key, i));
  return lru;
};

describe('LruMap', () => {
  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new LruMap(0)).toThrow(RangeError);
    expect(() => new LruMap(1.5)).toThrow(RangeError);
  });

  it('forgets the least recently set entry beyond its capacity, and says which', () => {
    const lru = filled(3, ['a', 'b', 'c']);
    expect(lru.set('d', 3)).toEqual(['a', 0]);
    expect(lru.size).toBe(3);
    expect([...lru]).toEqual([
      ['b', 1],
      ['c', 2],
      ['d', 3],
    ]);
  });

  it('forgets nothing while there is room, nor when a held key is set again', () => {
    const lru = filled(3, ['a', 'b']);
    expect(lru.set('c', 2)).toBeUndefined();
    expect(lru.set('a', 10)).toBeUndefined();
    expect([...lru]).toEqual([
      ['b', 1],
      ['c', 2],
      ['a', 10],
    ]);
  });

  it('counts get as a use, and neither peek nor has', () => {
    const lru = filled(3, ['a', 'b', 'c']);
    expect(lru.get('a')).toBe(0);
    expect(lru.peek('b')).toBe(1);
    expect(lru.has('b')).toBe(true);
    expect(lru.set('d', 3)).toEqual(['b', 1]);
    expect([...lru.values()]).toEqual([2, 0, 3]);
    expect(lru.get('b')).toBeUndefined();
  });

  it('deletes and clears', () => {
    const lru = filled(3, ['a', 'b', 'c']);
    lru.delete('b');
    expect(lru.has('b')).toBe(false);
    // The room made by the delete is used before anything is forgotten.
    expect(lru.set('d', 3)).toBeUndefined();
    expect([...lru.values()]).toEqual([0, 2, 3]);
    lru.clear();
    expect(lru.size).toBe(0);
    expect([...lru]).toEqual([]);
  });

  it('lets the entry just visited be deleted while iterating', () => {
    const lru = filled(5, ['a', 'b', 'c', 'd', 'e']);
    for (const [key, value] of lru) if (value % 2 === 0) lru.delete(key);
    expect([...lru.values()]).toEqual([1, 3]);
  });
});
