import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { OddsflowError } from '../../src/core/errors.js';
import type { RawMarketBook, RawResult } from '../../src/core/generated/avro-types.js';
import type { Clock, ParseFailure } from '../contract.js';
import { BetfairStreamProcessor } from './stream-processor.js';

export interface StreamFileOptions {
  /**
   * First line (1-based) whose records are returned. Earlier lines are still applied, because a
   * delta means nothing without the image before it; they only rebuild the cache.
   */
  fromLine?: number;
  /** Default: one hour of publish time, as for the live stream. */
  closedMarketEvictionMs?: number;
  /**
   * `receivedAt` of the records: the clock's now (default), or the message's publish time, which
   * makes the output of a recording reproducible.
   */
  receivedAt?: { clock: Clock } | 'publishTime';
}

/** What one line of the file produced; lines that produce nothing are not reported. */
export interface StreamFileChunk {
  /** 1-based line number: resuming with `fromLine: line + 1` continues right after it. */
  line: number;
  books: RawMarketBook[];
  results: RawResult[];
  failures: ParseFailure[];
}

const DEFAULT_EVICTION_MS = 60 * 60 * 1000;

function publishTimeOf(line: string): number | undefined {
  const match = /"pt":\s*(\d+)/.exec(line);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * Replays recorded stream lines (one JSON message per line, as Betfair's historic data and
 * betfairlightweight/flumine recordings store them) through the live connector's processor.
 * Blank lines are skipped; a line that is not a valid message becomes a ParseFailure and the
 * rest of the file continues.
 */
export async function* processStreamLines(
  lines: AsyncIterable<string> | Iterable<string>,
  options: StreamFileOptions = {},
): AsyncGenerator<StreamFileChunk> {
  const processor = new BetfairStreamProcessor({
    closedMarketEvictionMs: options.closedMarketEvictionMs ?? DEFAULT_EVICTION_MS,
  });
  const fromLine = options.fromLine ?? 1;
  const receivedAt = options.receivedAt ?? { clock: { now: () => Date.now() } };
  let lineNumber = 0;
  for await (const raw of lines) {
    lineNumber++;
    const line = raw.trim();
    if (line.length === 0) continue;
    const at = receivedAt === 'publishTime' ? (publishTimeOf(line) ?? 0) : receivedAt.clock.now();
    const outcome = processor.handleLine(line, at);
    if (lineNumber < fromLine) continue;
    if (outcome.kind === 'failure') {
      yield { line: lineNumber, books: [], results: [], failures: [outcome.failure] };
    } else if (outcome.kind === 'change' && (outcome.books.length > 0 || outcome.results.length > 0)) {
      yield { line: lineNumber, books: outcome.books, results: outcome.results, failures: [] };
    }
  }
}

/** `processStreamLines` over a file; a `.gz` file is decompressed on the fly. */
export async function* readStreamFile(
  path: string,
  options: StreamFileOptions = {},
): AsyncGenerator<StreamFileChunk> {
  const file = createReadStream(path);
  const input = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  file.on('error', (err) => input.destroy(err));
  // Decoded by the stream, which turns a character cut off at the end of the file into U+FFFD;
  // readline's own decoder drops those bytes, and a last line made only of them vanished.
  input.setEncoding('utf8');
  // `crlfDelay: Infinity` makes CRLF one line break, as on the live socket.
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    yield* processStreamLines(lines, options);
  } catch (err) {
    // The processor does not throw: what fails here is reading or decompressing the file.
    throw new OddsflowError('INPUT_UNREADABLE', `${path}: ${(err as Error).message}`, { cause: err });
  } finally {
    lines.close();
    input.destroy();
  }
}

/** Every record of a file at once; for small files and tests. */
export async function collectStreamFile(
  path: string,
  options: StreamFileOptions = {},
): Promise<{ books: RawMarketBook[]; results: RawResult[]; failures: ParseFailure[] }> {
  const all = { books: [] as RawMarketBook[], results: [] as RawResult[], failures: [] as ParseFailure[] };
  for await (const chunk of readStreamFile(path, options)) {
    all.books.push(...chunk.books);
    all.results.push(...chunk.results);
    all.failures.push(...chunk.failures);
  }
  return all;
}
