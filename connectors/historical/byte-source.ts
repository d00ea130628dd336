/**
 * Pulls exact byte counts out of a stream of chunks, which is what a block format (tar) needs;
 * a chunk is split only where a read ends, so a large body is passed on without copying.
 */
export class ByteSource {
  private readonly iterator: AsyncIterator<Buffer>;
  private pending: Buffer | undefined;
  /** Bytes handed out so far: the offset of the next byte, for error messages. */
  position = 0;

  constructor(chunks: AsyncIterable<Buffer | string>) {
    const inner = chunks[Symbol.asyncIterator]();
    this.iterator = {
      next: async () => {
        const r = await inner.next();
        return r.done === true
          ? r
          : { done: false, value: Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value) };
      },
      return: async () =>
        inner.return ? ((await inner.return()) as IteratorResult<Buffer>) : { done: true, value: undefined },
    };
  }

  /** The next chunk of at most `max` bytes; undefined at the end of the stream. */
  async chunk(max: number): Promise<Buffer | undefined> {
    let buffer = this.pending;
    this.pending = undefined;
    while (buffer === undefined || buffer.length === 0) {
      const r = await this.iterator.next();
      if (r.done === true) return undefined;
      buffer = r.value;
    }
    if (buffer.length > max) {
      this.pending = buffer.subarray(max);
      buffer = buffer.subarray(0, max);
    }
    this.position += buffer.length;
    return buffer;
  }

  /** Exactly `n` bytes, or fewer when the stream ends first. */
  async exactly(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const part = await this.chunk(n - have);
      if (part === undefined) break;
      parts.push(part);
      have += part.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
  }

  /** Skips `n` bytes; returns how many there were. */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n) {
      const part = await this.chunk(n - skipped);
      if (part === undefined) break;
      skipped += part.length;
    }
    return skipped;
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}
