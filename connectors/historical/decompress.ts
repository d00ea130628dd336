import { Readable, type Duplex } from 'node:stream';
import { createGunzip } from 'node:zlib';
import bz2 from 'unbzip2-stream';
import { OddsflowError } from '../../src/errors.js';

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
 * The decompressed bytes of `source`, streamed with the decoder's backpressure (bzip2 by the
 * pure-JavaScript unbzip2-stream, gzip by zlib): memory holds a block at most (900 kB for bzip2),
 * never the file. A truncated or corrupt stream ends the iteration with a DecompressError after
 * every byte decoded before the fault; concatenated streams (pbzip2, multi-member gzip) are read whole.
 */
export async function* decompress(
  compression: Compression,
  source: AsyncIterable<Buffer>,
  name: string,
): AsyncGenerator<Buffer> {
  const input = Readable.from(source, { objectMode: false });
  // unbzip2-stream is a classic (through) stream; wrap() gives it a streams3 face with backpressure.
  const decoder: Duplex = compression === 'gz' ? createGunzip() : (bz2() as unknown as Duplex);
  const output = compression === 'gz' ? (decoder as Readable) : new Readable({ objectMode: false }).wrap(decoder);
  let inputEnded = false;
  let inputError: Error | undefined;
  input.on('end', () => (inputEnded = true));
  input.on('error', (err) => {
    inputError = err;
    output.destroy(err);
  });
  decoder.on('error', (err: Error) => output.destroy(err));
  input.pipe(decoder as NodeJS.WritableStream);
  try {
    for await (const chunk of output) yield chunk as Buffer;
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
    input.destroy();
    output.destroy();
  }
}
