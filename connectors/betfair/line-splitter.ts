/** A line longer than the limit: its bytes were dropped, the head is kept for the dead letter. */
export interface OversizedLine {
  oversized: true;
  length: number;
  head: Buffer;
}

export type SplitLine = string | OversizedLine;

const LF = 0x0a;
const CR = 0x0d;
const HEAD_BYTES = 1024;

/**
 * Cuts a byte stream into CRLF-terminated lines (a bare LF is accepted too). Chunks may end
 * anywhere, even inside a multi-byte character: bytes are only decoded once a line is whole.
 * A line over `maxLineBytes` is not buffered: the rest of it is skipped and it is reported as
 * oversized, so a broken peer cannot make the client buffer without bound.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private length = 0;
  private overflow: { length: number; head: Buffer } | undefined;

  constructor(private readonly maxLineBytes: number) {}

  push(chunk: Buffer): SplitLine[] {
    const lines: SplitLine[] = [];
    let start = 0;
    while (start <= chunk.length) {
      const lf = chunk.indexOf(LF, start);
      this.append(chunk.subarray(start, lf === -1 ? chunk.length : lf));
      if (lf === -1) break;
      const line = this.take();
      if (line !== undefined) lines.push(line);
      start = lf + 1;
    }
    return lines;
  }

  /** Bytes held for an unfinished line. */
  get buffered(): number {
    return this.overflow === undefined ? this.length : 0;
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.overflow !== undefined) {
      this.overflow.length += bytes.length;
      return;
    }
    if (this.length + bytes.length > this.maxLineBytes) {
      const head = Buffer.concat([...this.parts, bytes]).subarray(0, HEAD_BYTES);
      this.overflow = { length: this.length + bytes.length, head: Buffer.from(head) };
      this.parts = [];
      this.length = 0;
      return;
    }
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  private take(): SplitLine | undefined {
    if (this.overflow !== undefined) {
      const { length, head } = this.overflow;
      this.overflow = undefined;
      return { oversized: true, length, head };
    }
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length);
    this.parts = [];
    this.length = 0;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    if (end === 0) return undefined;
    return bytes.toString('utf8', 0, end);
  }
}
