import type { RecordChunk } from '../contract.js';
import { compressionOf, decompress } from './decompress.js';
import { detectFormat, formatNamed, historyFormats } from './formats.js';
import { textLines } from './lines.js';
import type { CsvRecordingOptions } from './odds-csv.js';
import { OrderCheck, timeText, type ProblemCode, type ProblemSink } from './problems.js';
import type { HistoricalFile } from './sources.js';

export interface HistoryReadOptions extends CsvRecordingOptions {
  /** A name of `historyFormats`, or `auto`. */
  format: string;
  /** First position (line) whose records are returned; earlier Betfair lines still build the cache. */
  from?: number;
  /** Time of records whose file gives none (an Odds API response without last_update): its modification time. */
  fallbackTime: number;
  report: ProblemSink;
  /** Longest line read (characters); a longer one is skipped and reported (default 32 Mi). */
  maxLineLength?: number;
}

async function firstLine(
  lines: AsyncIterator<string>,
): Promise<{ head: string[]; first: string | undefined }> {
  const head: string[] = [];
  for (;;) {
    const r = await lines.next();
    if (r.done === true) return { head, first: undefined };
    head.push(r.value);
    if (r.value.trim() !== '') return { head, first: r.value };
  }
}

async function* chain(head: readonly string[], rest: AsyncIterator<string>): AsyncGenerator<string> {
  yield* head;
  for (;;) {
    const r = await rest.next();
    if (r.done === true) return;
    yield r.value;
  }
}

function problemCodeOf(err: unknown): ProblemCode {
  return /truncated/i.test((err as Error).message) ? 'TRUNCATED' : 'UNREADABLE';
}

/**
 * One historical file as raw-record chunks: decompressed by its suffix (`.bz2`, `.gz`), read in
 * its format, streamed line by line (an Odds API JSON response, being one document, whole).
 * Records keep the provider's times (`receivedAt` is the record's own time, not the reading's),
 * so reading a file twice gives the same records. A file that breaks off (truncated archive or
 * bz2 stream) or cannot be read is reported with the line reached, after everything before it;
 * records whose time goes backwards are kept and reported.
 */
export async function* readHistoricalFile(
  file: HistoricalFile,
  options: HistoryReadOptions,
): AsyncGenerator<RecordChunk> {
  const named = options.format === 'auto' ? undefined : formatNamed(options.format);
  if (options.format !== 'auto' && named === undefined)
    throw new Error(`no format ${options.format}: one of ${historyFormats.join(', ')}, or auto`);
  const from = options.from ?? 1;
  const { compression } = compressionOf(file.name);
  const bytes = compression === undefined ? file.bytes : decompress(compression, file.bytes, file.name);
  let line = 0;
  const counted = (async function* () {
    const lines = textLines(bytes, {
      ...(options.maxLineLength === undefined ? {} : { maxLineLength: options.maxLineLength }),
      onTooLong: (length) =>
        options.report({
          file: file.name,
          line: line + 1,
          code: 'LINE_TOO_LONG',
          message: `${length} characters, over --max-line-length: skipped unread`,
        }),
    });
    for await (const text of lines) {
      line++;
      yield text;
    }
  })();
  const order = new OrderCheck();
  try {
    const { head, first } = await firstLine(counted);
    const format = named ?? detectFormat(file.name, first, options);
    if (format === undefined) {
      options.report({
        file: file.name,
        line: 1,
        code: 'UNKNOWN_FORMAT',
        message: 'neither the name nor the first line tells the format: give --format',
      });
      return;
    }
    const chunks = format.read(chain(head, counted), {
      file: file.name,
      from,
      fallbackTime: options.fallbackTime,
      report: options.report,
      options,
    });
    for await (const chunk of chunks) {
      const late = order.late(chunk.books);
      if (late !== undefined) {
        options.report({
          file: file.name,
          line: chunk.position,
          code: 'OUT_OF_ORDER',
          message: `${late.book.sourceMarketId} ${late.book.bookmaker} ${late.book.side} at ${timeText(late.book.eventTime)}, after ${timeText(late.previous)}: kept`,
        });
      }
      yield chunk;
    }
  } catch (err) {
    options.report({
      file: file.name,
      line: line === 0 ? null : line,
      code: problemCodeOf(err),
      message: (err as Error).message,
    });
  }
}
