import { Readable, type Duplex } from 'node:stream';
import { createGunzip } from 'node:zlib';
import bz2 from 'unbzip2-stream';
import { OddsflowError } from '../../src/core/errors.js';

export type Compression = 'bz2' | 'gz';

/** The compression a file name says, and the name without its suffix. */
export function compressionOf(name: string): { compression: Compression | undefined; inner: string } {
  const lower = name.toLowerCase();
  if (lower.endsWith('.bz2')) return { compression: 'bz2', inner: name.slice(0, -4) };
  if (lower.endsWith('.tbz2') || lower.endsWith('.tbz'))
    return { compression: 'bz2', inner: name.replace(/\.tbz2?$/i, '.tar') };
  if (lower.endsWith('.gz')) return { compression: 'gz', inner: name.slice(0, -3) };
  if (lower.endsWith('.tgz')) return { compression: 'gz', inner: name.slice(0, -4) + '.tar' };
  return { compression: undefined, inner: name };
}

/** A compressed stream that ends early or does not decode: the bytes before the fault are kept. */
export class DecompressError extends OddsflowError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('INPUT_UNREADABLE', message, options);
  }
}

const labels: Record<Compression, string> = { bz2: 'bzip2', gz: 'gzip' };

/**
 * The chunks a stream emits, with backpressure (paused while `highWater` chunks wait), and an
 * error raised only after every chunk emitted before it: a decoder that fails on a truncated
 * block has usually decoded the blocks before it, and those must not be discarded.
 */
async function* emitted(stream: NodeJS.ReadableStream, highWater = 16): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | undefined;
  let paused = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  stream.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    if (queue.length >= highWater && !paused) {
      paused = true;
      stream.pause();
    }
    notify();
  });
  stream.on('end', () => {
    ended = true;
    notify();
  });
  stream.on('error', (err: Error) => {
    failure ??= err;
    notify();
  });
  for (;;) {
    const chunk = queue.shift();
    if (chunk !== undefined) {
      if (queue.length < highWater / 2 && paused) {
        paused = false;
        stream.resume();
      }
      yield chunk;
      continue;
    }
    if (failure !== undefined) throw failure;
    if (ended) return;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}

/**
 * The decompressed bytes of `source`, streamed with the decoder's backpressure (bzip2 by the
 * pure-JavaScript unbzip2-stream, gzip by zlib): memory holds about a megabyte of compressed
 * input at most (unbzip2-stream decodes once a whole 900 kB block may be buffered), never the
 * file. A truncated or corrupt stream ends the iteration with a DecompressError after every
 * byte decoded before the fault; concatenated streams (pbzip2, multi-member gzip) are read whole.
 */
export async function* decompress(
  compression: Compression,
  source: AsyncIterable<Buffer>,
  name: string,
): AsyncGenerator<Buffer> {
  const input = Readable.from(source, { objectMode: false });
  // unbzip2-stream is a classic (through) stream: read through its events, not async iteration.
  const decoder = (compression === 'gz' ? createGunzip() : bz2()) as Duplex;
  let inputEnded = false;
  let inputError: Error | undefined;
  input.on('end', () => (inputEnded = true));
  input.on('error', (err) => {
    inputError = err;
    decoder.emit('error', err);
  });
  input.pipe(decoder);
  try {
    yield* emitted(decoder);
  } catch (err) {
    if (inputError !== undefined) throw inputError;
    const message = (err as Error).message;
    // A decoder that runs out of input mid-block fails with whatever its code hit; say what happened.
    const what =
      inputEnded || /end of (file|input)|unexpected end/i.test(message)
        ? `${labels[compression]} stream truncated`
        : `${labels[compression]} stream corrupt`;
    throw new DecompressError(`${name}: ${what} (${message})`, { cause: err });
  } finally {
    input.unpipe();
    input.destroy();
    decoder.destroy();
  }
}
