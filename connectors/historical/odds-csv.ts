import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from '../../src/core/errors.js';
import type { RecordChunk, RecordingFormat, RecordingOptions } from '../contract.js';
import { fieldMappingSchema, type FieldMapping } from '../ws-json/field-mapping.js';
import { parseFrame } from '../ws-json/parse.js';
import { csvRows, headerNames, type CsvRow } from './csv.js';
import { missingColumns, type ProblemSink } from './problems.js';

/**
 * A generic CSV of odds, one row per selection price, mapped to RawMarketBook fields like a
 * ws-json feed: the same field names, and per field a column name, `{ column, map?, default? }`
 * or `{ const }`. Rows of one book (same values in every column the `book` fields read) are
 * consecutive, as a file sorted by time and market has them.
 */
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const columnSource = z.union([
  z.string().min(1),
  z.strictObject({
    column: z.string().min(1),
    map: z.record(z.string(), z.string()).optional(),
    default: scalar.optional(),
  }),
  z.strictObject({ const: scalar }),
]);
type ColumnSource = z.output<typeof columnSource>;

export const oddsCsvMappingSchema = z.strictObject({
  delimiter: z.string().length(1).default(','),
  timeFormat: z.enum(['auto', 'epoch-ms', 'epoch-s', 'iso']).default('auto'),
  book: z.record(z.string(), columnSource),
  selection: z.record(z.string(), columnSource),
});
export type OddsCsvMappingInput = z.input<typeof oddsCsvMappingSchema>;

/** The columns read when no mapping is given (snake_case field names); those marked ? may be absent. */
export const defaultOddsCsvColumns = {
  book: {
    eventId: 'event_id',
    sport: 'sport',
    marketId: 'market',
    marketType: 'market',
    bookmaker: 'bookmaker',
    timestamp: 'timestamp',
    'priceFormat?': 'price_format',
    'side?': 'side',
    'status?': 'status',
    'inPlay?': 'in_play',
    'eventName?': 'event_name',
    'competition?': 'competition',
    'homeTeam?': 'home_team',
    'awayTeam?': 'away_team',
    'venue?': 'venue',
    'raceNumber?': 'race_number',
    'startTime?': 'start_time',
    'marketName?': 'market_name',
    'numberOfPlaces?': 'number_of_places',
  },
  selection: {
    id: 'selection_id',
    price: 'price',
    'name?': 'selection_name',
    'point?': 'point',
    'size?': 'size',
    'status?': 'selection_status',
  },
} as const;

const rowsKey = '__rows__';

function columnOf(source: ColumnSource): string | undefined {
  return typeof source === 'string' ? source : 'column' in source ? source.column : undefined;
}

function toPathSource(source: ColumnSource): unknown {
  const column = columnOf(source);
  if (column === undefined) return source;
  if (column.includes('"')) throw new ConfigError([`csv mapping: column name ${column} contains a quote`]);
  const path = `@["${column}"]`;
  if (typeof source === 'string') return path;
  return {
    path,
    ...('map' in source && source.map ? { map: source.map } : {}),
    ...('default' in source && source.default !== undefined ? { default: source.default } : {}),
  };
}

/** A CSV mapping checked and compiled, with the columns it needs. */
export interface CompiledCsvMapping {
  delimiter: string;
  fields: FieldMapping;
  /** Columns the book fields read: equal values in all of them make rows one book. */
  bookColumns: string[];
  /** Columns that must be in the header (read without a default). */
  required: string[];
}

export function compileCsvMapping(input: unknown): CompiledCsvMapping {
  const parsed = oddsCsvMappingSchema.safeParse(input);
  if (!parsed.success)
    throw new ConfigError(parsed.error.issues.map((i) => `--mapping ${i.path.join('.')}: ${i.message}`));
  const { book, selection, delimiter, timeFormat } = parsed.data;
  const convert = (fields: Record<string, ColumnSource>) =>
    Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, toPathSource(v)]));
  const fields = fieldMappingSchema.safeParse({
    books: '$',
    selections: `${rowsKey}[*]`,
    timeFormat,
    book: convert(book),
    selection: convert(selection),
  });
  if (!fields.success)
    throw new ConfigError(fields.error.issues.map((i) => `--mapping ${i.path.join('.')}: ${i.message}`));
  const needed = (s: ColumnSource) =>
    typeof s === 'string' ? s : 'column' in s && s.default === undefined ? s.column : undefined;
  const bookColumns = [
    ...new Set(
      Object.values(book)
        .map(columnOf)
        .filter((c): c is string => c !== undefined),
    ),
  ];
  const required = [
    ...new Set(
      [...Object.values(book), ...Object.values(selection)]
        .map(needed)
        .filter((c): c is string => c !== undefined),
    ),
  ];
  return { delimiter, fields: fields.data, bookColumns, required };
}

/** The default mapping for a header: optional fields only where their column exists. */
export function defaultCsvMapping(header: readonly string[]): CompiledCsvMapping {
  const present = new Set(header);
  const pick = (fields: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(fields)
        .filter(([k, column]) => !k.endsWith('?') || present.has(column))
        .map(([k, column]) => [k.replace(/\?$/, ''), column]),
    );
  return compileCsvMapping({
    book: { priceFormat: { const: 'decimal' }, ...pick(defaultOddsCsvColumns.book) },
    selection: pick(defaultOddsCsvColumns.selection),
  });
}

export async function loadCsvMapping(file: string): Promise<CompiledCsvMapping> {
  return compileCsvMapping(JSON.parse(await readFile(file, 'utf8')));
}

export interface OddsCsvOptions {
  file: string;
  provider: string;
  /** Null: the default columns. */
  mapping: CompiledCsvMapping | null;
  from: number;
  report: ProblemSink;
}

/**
 * Books of a generic odds CSV, one chunk per book at the line of its first row. A book with any
 * bad row is dead-lettered whole (as a ws-json frame is), with the file, the line and every issue,
 * and its CSV rows as the payload; each book's payload is its header and rows.
 */
export async function* readOddsCsv(
  lines: AsyncIterable<string>,
  options: OddsCsvOptions,
): AsyncGenerator<RecordChunk> {
  const rows = csvRows(lines, options.mapping?.delimiter ?? ',');
  const first = await rows.next();
  if (first.done === true) return;
  const header = headerNames(first.value);
  const mapping = options.mapping ?? defaultCsvMapping(header);
  const missing = mapping.required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    options.report(missingColumns(options.file, first.value.line, missing));
    return;
  }
  let book: { key: string; rows: CsvRow[]; objects: Record<string, string | null>[] } | undefined;

  const flush = (): RecordChunk | undefined => {
    if (book === undefined) return undefined;
    const { rows: bookRows, objects } = book;
    const line = bookRows[0]!.line;
    const frame = { ...objects[0], [rowsKey]: objects };
    const payload = [first.value.text, ...bookRows.map((r) => r.text)].join('\n');
    const outcome = parseFrame(JSON.stringify(frame), mapping.fields, {
      provider: options.provider,
      receivedAt: 0,
    });
    if (outcome.kind === 'books') {
      // A CSV row has no arrival time of its own: the book's own time stands for it.
      const books = outcome.books.map((b) => ({ ...b, receivedAt: b.eventTime, payload }));
      return { position: line, books, results: [], failures: [] };
    }
    if (outcome.kind === 'ignored') return undefined;
    const lineOf = (path: string) => {
      const i = new RegExp(`${rowsKey}\\[(\\d+)\\]`).exec(path)?.[1];
      return bookRows[i === undefined ? 0 : Number(i)]?.line ?? line;
    };
    const errors = outcome.failure.errors.map((e) => ({
      ...e,
      path: `${options.file}:${lineOf(e.path)} ${e.path.replace(new RegExp(`\\.${rowsKey}\\[\\d+\\]`), '')}`,
    }));
    return { position: line, books: [], results: [], failures: [{ ...outcome.failure, errors, payload }] };
  };

  for await (const row of rows) {
    if (row.fields.length !== header.length) {
      const chunk = flush();
      book = undefined;
      if (chunk !== undefined && chunk.position >= options.from) yield chunk;
      if (row.line >= options.from) {
        const message = `${row.fields.length} fields where the header has ${header.length}`;
        const failure = {
          provider: options.provider,
          reasonCode: 'CSV_ROW',
          errors: [{ path: `${options.file}:${row.line}`, code: 'CSV_ROW', message }],
          payload: row.text,
        };
        yield { position: row.line, books: [], results: [], failures: [failure] };
      }
      continue;
    }
    const object: Record<string, string | null> = {};
    header.forEach((name, i) => {
      const value = row.fields[i]!.trim();
      object[name] = value === '' ? null : value;
    });
    const key = JSON.stringify(mapping.bookColumns.map((c) => object[c] ?? null));
    if (book?.key !== key) {
      const chunk = flush();
      if (chunk !== undefined && chunk.position >= options.from) yield chunk;
      book = { key, rows: [], objects: [] };
    }
    book.rows.push(row);
    book.objects.push(object);
  }
  const chunk = flush();
  if (chunk !== undefined && chunk.position >= options.from) yield chunk;
}

/** The offline commands' options with the odds CSV's column mapping (`--csv-mapping`). */
export interface CsvRecordingOptions extends RecordingOptions {
  /** Null or absent: the default columns. */
  csvMapping?: CompiledCsvMapping | null;
}

/** A generic CSV of odds, any feed's: every `.csv` that no provider's format recognises. */
export const oddsCsvFormat: RecordingFormat<CsvRecordingOptions> = {
  name: 'odds-csv',
  suffix: '.csv',
  fallback: true,
  recognises: () => true,
  read: (lines, { file, from, report, options }) =>
    readOddsCsv(lines, {
      file,
      from,
      provider: options.provider ?? 'csv',
      mapping: options.csvMapping ?? null,
      report,
    }),
};
