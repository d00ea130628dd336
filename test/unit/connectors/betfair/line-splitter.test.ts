import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../../connectors/betfair/line-splitter.js';

describe('LineSplitter', () => {
  it('cuts CRLF lines whatever the chunk boundaries, multi-byte characters included', () => {
    const text = '{"venue":"Gávea"}\r\n{"a":1}\r\n\r\n{"b":"ü"}\r\n';
    const bytes = Buffer.from(text);
    for (let size = 1; size <= bytes.length; size++) {
      const splitter = new LineSplitter(1024);
      const lines: unknown[] = [];
      for (let at = 0; at < bytes.length; at += size)
        lines.push(...splitter.push(bytes.subarray(at, at + size)));
      expect(lines, `chunks of ${size}`).toEqual(['{"venue":"Gávea"}', '{"a":1}', '{"b":"ü"}']);
      expect(splitter.buffered).toBe(0);
    }
  });

  it('accepts bare LF and holds an unfinished line until its end arrives', () => {
    const splitter = new LineSplitter(1024);
    expect(splitter.push(Buffer.from('one\ntw'))).toEqual(['one']);
    expect(splitter.buffered).toBe(2);
    expect(splitter.push(Buffer.from('o\r'))).toEqual([]);
    expect(splitter.push(Buffer.from('\n'))).toEqual(['two']);
  });

  it('drops a line over the limit without buffering it, reports it, and goes on', () => {
    const splitter = new LineSplitter(16);
    const out = [
      ...splitter.push(Buffer.from('{"short":1}\r\n{"long":"')),
      ...splitter.push(Buffer.from('x'.repeat(5000))),
      ...splitter.push(Buffer.from('"}\r\n{"next":2}\r\n')),
    ];
    expect(out[0]).toBe('{"short":1}');
    expect(out[1]).toMatchObject({ oversized: true, length: 5000 + 12 });
    expect((out[1] as { head: Buffer }).head.toString()).toMatch(/^\{"long":"x+$/);
    expect(out[2]).toBe('{"next":2}');
    expect(splitter.buffered).toBe(0);
  });
});
