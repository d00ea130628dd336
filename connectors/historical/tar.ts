import { OddsflowError } from '../../src/core/errors.js';
import { ByteSource } from './byte-source.js';

/** A regular file inside a tar archive; `body` must be read to its end (or not at all) before the next entry. */
export interface TarEntry {
  name: string;
  size: number;
  /** Modification time, epoch ms. */
  mtime: number;
  body: AsyncIterable<Buffer>;
}

const BLOCK = 512;

/** A tar archive that ends before its end-of-archive blocks, or holds a header that is not one. */
export class TarError extends OddsflowError {
  constructor(
    message: string,
    /** Byte offset in the (decompressed) archive where it happened. */
    readonly offset: number,
  ) {
    super('INPUT_UNREADABLE', message);
  }
}

function text(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

/** Octal (ustar), or base-256 for sizes over 8 GiB (GNU: high bit of the first byte set). */
function number(block: Buffer, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  if ((field[0]! & 0x80) !== 0) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const digits = text(block, start, length).trim();
  return digits === '' ? 0 : parseInt(digits, 8);
}

/** The header checksum: bytes summed with the checksum field read as spaces. */
function checksumHolds(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === number(block, 148, 8);
}

/** `path=…` of a pax extended header (records "LEN key=value\n"). */
function paxPath(data: Buffer): string | undefined {
  let offset = 0;
  let path: string | undefined;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number(data.subarray(offset, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    offset += length;
  }
  return path;
}

const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

/**
 * The regular files of a tar stream (ustar, GNU long names, pax paths), streamed: an entry's
 * bytes are read only as its body is consumed, so memory stays at one chunk whatever the size.
 * Directories, links and other entry types are skipped. A stream that ends inside a header or a
 * body is a TarError naming the entry and the offset.
 */
export async function* readTar(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<TarEntry> {
  const source = new ByteSource(chunks);
  let longName: string | undefined;
  try {
    for (;;) {
      const at = source.position;
      const header = await source.exactly(BLOCK);
      if (header.length === 0) return; // no end-of-archive blocks: tolerated, as GNU tar does
      if (header.length < BLOCK) throw new TarError(`archive truncated inside a header at byte ${at}`, at);
      if (header.every((b) => b === 0)) return;
      if (!checksumHolds(header)) throw new TarError(`not a tar header at byte ${at} (checksum)`, at);
      const size = number(header, 124, 12);
      const type = String.fromCharCode(header[156]!);
      const prefix = header.subarray(257, 263).toString('latin1').startsWith('ustar')
        ? text(header, 345, 155)
        : '';
      const headerName = prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100);
      if (type === 'L' || type === 'x') {
        const data = await source.exactly(size);
        if (data.length < size)
          throw new TarError(`archive truncated inside the long name at byte ${at}`, at);
        await source.skip(padding(size));
        longName = type === 'L' ? text(data, 0, data.length) : (paxPath(data) ?? longName);
        continue;
      }
      const name = longName ?? headerName;
      longName = undefined;
      if (type !== '0' && type !== '\0' && type !== '7') {
        if ((await source.skip(size + padding(size))) < size)
          throw new TarError(`archive truncated inside ${name} at byte ${source.position}`, source.position);
        continue;
      }
      let remaining = size;
      const body = async function* (): AsyncGenerator<Buffer> {
        while (remaining > 0) {
          const part = await source.chunk(Math.min(remaining, 1 << 20));
          if (part === undefined)
            throw new TarError(
              `archive truncated inside ${name} at byte ${source.position}`,
              source.position,
            );
          remaining -= part.length;
          yield part;
        }
      };
      yield { name, size, mtime: number(header, 136, 12) * 1000, body: body() };
      // What the consumer left unread of the body.
      if (remaining > 0 && (await source.skip(remaining)) < remaining)
        throw new TarError(`archive truncated inside ${name} at byte ${source.position}`, source.position);
      remaining = 0;
      if ((await source.skip(padding(size))) < padding(size))
        throw new TarError(`archive truncated after ${name} at byte ${source.position}`, source.position);
    }
  } finally {
    await source.close();
  }
}
