import { processStreamLines } from '../betfair/stream-file.js';
import type { ParseFailure } from '../contract.js';
import { readOddsApiFile, readWsJsonFile, type RecordChunk } from '../file-readers.js';
import type { FieldMapping } from '../ws-json/field-mapping.js';
import { readBspCsv, isBspFile } from './betfair-bsp.js';
import { headerNames } from './csv.js';
import type { HistoryFormat } from './formats.js';
import { compressionOf, decompress } from './decompress.js';
import { readlineLines, textLines } from './lines.js';
import { readOddsCsv, type CompiledCsvMapping } from './odds-csv.js';
import { OrderCheck, timeText, type ProblemCode, type ProblemSink } from './problems.js';
import type { HistoricalFile } from './sources.js';

export interface HistoryReadOptions {
  format: HistoryFormat | 'auto';
  /** First position (line) whose records are returned; earlier Betfair lines still build the cache. */
  from?: number;
  oddsFormat?: 'auto' | 'decimal' | 'american';
  /** ws-json frames, one per line. */
  wsMapping?: FieldMapping;
  /** odds-csv; null: the default columns. */
  csvMapping?: CompiledCsvMapping | null;
  /** `provider` of odds-csv and ws-json records. */
  provider?: string;
  /** betfair-bsp: the time zone of EVENT_DT (default Europe/London) and the event type id. */
  timeZone?: string;
  sport?: string;
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

/** The format by name: `.csv` by its header, `.json` an Odds API response, else lines by their first. */
export function detectFormat(
  name: string,
  first: string | undefined,
  options: Pick<HistoryReadOptions, 'wsMapping'>,
): HistoryFormat | undefined {
  const inner = compressionOf(name).inner.toLowerCase();
  if (inner.endsWith('.csv')) {
    const header = first === undefined ? [] : headerNames({ line: 1, fields: first.split(','), text: first });
    return isBspFile(inner.split('/').pop() ?? '', header) ? 'betfair-bsp' : 'odds-csv';
  }
  if (inner.endsWith('.json')) return 'the-odds-api';
  if (first === undefined) return 'betfair-stream';
  if (/^\s*\{.*"op"\s*:\s*"(mcm|connection|status|heartbeat)"/.test(first)) return 'betfair-stream';
  if (options.wsMapping !== undefined && first.trimStart().startsWith('{')) return 'ws-json';
  return undefined;
}

function problemCodeOf(err: unknown): ProblemCode {
  return /truncated/i.test((err as Error).message) ? 'TRUNCATED' : 'UNREADABLE';
}

async function collectText(lines: AsyncIterable<string>): Promise<string> {
  const parts: string[] = [];
  for await (const line of lines) parts.push(line);
  return parts.join('\n');
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
    const format = options.format === 'auto' ? detectFormat(file.name, first, options) : options.format;
    if (format === undefined) {
      options.report({
        file: file.name,
        line: 1,
        code: 'UNKNOWN_FORMAT',
        message: 'neither the name nor the first line tells the format: give --format',
      });
      return;
    }
    const lines = chain(head, counted);
    const chunks = chunksOf(format, lines, file.name, from, options);
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

function withFileLine(failure: ParseFailure, file: string, line: number): ParseFailure {
  return {
    ...failure,
    errors: failure.errors.map((e) => ({ ...e, path: `${file}:${line} ${e.path}`.trimEnd() })),
  };
}

async function* chunksOf(
  format: HistoryFormat,
  lines: AsyncIterable<string>,
  file: string,
  from: number,
  options: HistoryReadOptions,
): AsyncGenerator<RecordChunk> {
  switch (format) {
    case 'betfair-stream':
      for await (const c of processStreamLines(readlineLines(lines), {
        fromLine: from,
        receivedAt: 'publishTime',
      }))
        yield {
          position: c.line,
          books: c.books,
          results: c.results,
          failures: c.failures.map((f) => withFileLine(f, file, c.line)),
        };
      return;
    case 'betfair-bsp':
      yield* readBspCsv(lines, {
        file,
        from,
        timeZone: options.timeZone ?? 'Europe/London',
        sport: options.sport,
        report: options.report,
      });
      return;
    case 'odds-csv':
      yield* readOddsCsv(lines, {
        file,
        from,
        provider: options.provider ?? 'csv',
        mapping: options.csvMapping ?? null,
        report: options.report,
      });
      return;
    case 'the-odds-api': {
      const text = await collectText(lines);
      for (const c of readOddsApiFile(text, {
        receivedAt: options.fallbackTime,
        oddsFormat: options.oddsFormat ?? 'auto',
      }))
        if (c.position >= from) yield c;
      return;
    }
    case 'ws-json': {
      if (options.wsMapping === undefined) throw new Error('ws-json needs a field mapping (--mapping)');
      // readWsJsonFile works on text; frames are read per line so memory stays at one line.
      let n = 0;
      for await (const text of lines) {
        n++;
        if (n < from || text.trim() === '') continue;
        for (const c of readWsJsonFile(text, {
          receivedAt: options.fallbackTime,
          mapping: options.wsMapping,
          provider: options.provider ?? 'ws-json',
        }))
          yield {
            ...c,
            position: n,
            books: c.books.map((b) => ({ ...b, receivedAt: b.eventTime })),
            failures: c.failures.map((f) => withFileLine(f, file, n)),
          };
      }
      return;
    }
  }
}
