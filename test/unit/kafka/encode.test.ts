import { describe, expect, it } from 'vitest';
import { splitBySize } from '../../../src/core/kafka/encode.js';

const message = (key: string, bytes: number) => ({ key, value: Buffer.alloc(bytes) });

describe('splitBySize', () => {
  it('keeps a batch under the limit in one send', () => {
    const topicMessages = [
      { topic: 'a', messages: [message('k1', 100), message('k2', 100)] },
      { topic: 'b', messages: [message('k3', 100)] },
    ];
    expect(splitBySize(topicMessages, 1_000)).toEqual([topicMessages]);
  });

  it('cuts sends at the byte limit, keys included, keeping each topic in order', () => {
    const a = Array.from({ length: 5 }, (_, i) => message(`a${i}`, 98));
    const b = Array.from({ length: 3 }, (_, i) => message(`b${i}`, 98));
    const sends = splitBySize(
      [
        { topic: 'a', messages: a },
        { topic: 'b', messages: b },
      ],
      300,
    );
    // 100 bytes a message: three fit in a send of 300.
    expect(sends.map((send) => send.map((t) => `${t.topic}:${t.messages.length}`))).toEqual([
      ['a:3'],
      ['a:2', 'b:1'],
      ['b:2'],
    ]);
    expect(sends.flatMap((s) => s.filter((t) => t.topic === 'a').flatMap((t) => t.messages))).toEqual(a);
    expect(sends.flatMap((s) => s.filter((t) => t.topic === 'b').flatMap((t) => t.messages))).toEqual(b);
  });

  it('sends a message larger than the limit on its own', () => {
    const sends = splitBySize(
      [{ topic: 'a', messages: [message('s', 10), message('big', 5_000), message('t', 10)] }],
      1_000,
    );
    expect(sends.map((s) => s[0]!.messages.map((m) => m.key))).toEqual([['s'], ['big'], ['t']]);
  });

  it('makes no send of nothing', () => {
    expect(splitBySize([], 1_000)).toEqual([]);
  });
});
