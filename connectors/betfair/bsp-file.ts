import type { RawMarketBook, RawResult } from '../../src/core/generated/avro-types.js';
import { noExchangeData, noExchangeMarketData, type ParseFailure, type RecordChunk } from '../contract.js';
import { csvRows, headerNames, type CsvRow } from '../historical/csv.js';
import { missingColumns, type ProblemSink } from '../historical/problems.js';
import { zonedToUtc } from '../historical/zoned-time.js';

export const BSP_PROVIDER = 'betfair-bsp';
/** The book a BSP file describes: Betfair's starting price, taken at the off. */
export const BSP_BOOKMAKER = 'betfair-sp';

/** Columns of Betfair's daily BSP/price files (promo.betfair.com, dwbfprices*.csv). */
export const bspColumns = [
  'EVENT_ID',
  'MENU_HINT',
  'EVENT_NAME',
  'EVENT_DT',
  'SELECTION_ID',
  'SELECTION_NAME',
  'WIN_LOSE',
  'BSP',
  'PPWAP',
  'MORNINGWAP',
  'PPMAX',
  'PPMIN',
  'IPMAX',
  'IPMIN',
  'MORNINGTRADEDVOL',
  'PPTRADEDVOL',
  'IPTRADEDVOL',
] as const;

/** Without these a row says nothing usable; the price and volume columns after BSP may be absent. */
const requiredColumns = bspColumns.slice(0, 8);

export interface BspOptions {
  file: string;
  /** The time zone of EVENT_DT: the files are written in UK time. */
  timeZone: string;
  /** Betfair event type id; default from the file name (greyhound → 4339, else 7 horse racing). */
  sport?: string | undefined;
  /** First line whose records are returned. */
  from: number;
  report: ProblemSink;
}

/**
 * Whether a CSV is a BSP file: named as Betfair names them (dwbfprices…, dwbfgreyhound…), or with
 * at least four of their (upper-case) columns, so that a BSP file missing a column is still told
 * apart (and reported as such) rather than read as a generic odds CSV.
 */
export function isBspFile(fileName: string, header: readonly string[]): boolean {
  if (/^dwbf/i.test(fileName)) return true;
  const names = new Set(header);
  return bspColumns.filter((c) => names.has(c)).length >= 4;
}

/** "dd-mm-yyyy HH:MM[:SS]" in the file's time zone, or ISO 8601. */
export function parseEventDate(text: string, timeZone: string): number | null {
  const m = /^\s*(\d{1,2})[-/](\d{1,2})[-/](\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$/.exec(text);
  if (m) {
    const [day, month, year, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0));
    return zonedToUtc(
      { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second! },
      timeZone,
    );
  }
  const iso = Date.parse(text);
  return Number.isNaN(iso) ? null : iso;
}

/** "UK / Kempton 1st Jan" → "Kempton"; "AUS / Lismore (AUS) 30th Jul" → "Lismore (AUS)". */
export function venueOf(menuHint: string): string | null {
  const meeting = menuHint.split('/').pop()?.trim() ?? '';
  const venue = meeting.replace(/\s+\d{1,2}(st|nd|rd|th)\s+[A-Za-z]{3,9}$/u, '').trim();
  return venue === '' ? null : venue;
}

const price = (text: string | undefined): string | null => {
  const t = (text ?? '').trim();
  return t === '' || Number(t) === 0 ? null : t;
};

interface Market {
  id: string;
  rows: { row: CsvRow; get: (column: string) => string }[];
}

function failure(file: string, row: CsvRow, code: string, message: string): ParseFailure {
  return {
    provider: BSP_PROVIDER,
    reasonCode: code,
    errors: [{ path: `${file}:${row.line}`, code, message }],
    payload: row.text,
  };
}

/**
 * Betfair's daily BSP/price CSV as records: per market (EVENT_ID, which is the market id
 * without its `1.`), one back book of starting prices stamped at the off (EVENT_DT) and one
 * result from WIN_LOSE with each runner's BSP. The pre-play and in-play price and volume
 * columns stay in the records' payload (the market's CSV rows, header first). Rows of a market
 * are consecutive, as Betfair writes them.
 */
export async function* readBspCsv(
  lines: AsyncIterable<string>,
  options: BspOptions,
): AsyncGenerator<RecordChunk> {
  const rows = csvRows(lines);
  const first = await rows.next();
  if (first.done === true) return;
  const header = headerNames(first.value);
  const index = new Map(header.map((name, i) => [name.toUpperCase(), i]));
  const missing = requiredColumns.filter((c) => !index.has(c));
  if (missing.length > 0) {
    options.report(missingColumns(options.file, first.value.line, missing));
    return;
  }
  const sport = options.sport ?? (/greyhound/i.test(options.file.split('/').pop() ?? '') ? '4339' : '7');
  const place = /place/i.test(options.file.split('/').pop() ?? '');
  let market: Market | undefined;

  const flush = (): RecordChunk | undefined => {
    if (market === undefined || market.rows.length === 0) return undefined;
    const { rows: marketRows } = market;
    const line = marketRows[0]!.row.line;
    const head = marketRows[0]!.get;
    const payload = [first.value.text, ...marketRows.map((r) => r.row.text)].join('\n');
    const startTime = parseEventDate(head('EVENT_DT'), options.timeZone);
    if (startTime === null) {
      return {
        position: line,
        books: [],
        results: [],
        failures: [
          failure(
            options.file,
            marketRows[0]!.row,
            'INVALID_VALUE',
            `EVENT_DT is not a time: "${head('EVENT_DT')}"`,
          ),
        ],
      };
    }
    const sourceMarketId = `1.${market.id}`;
    const eventName = head('EVENT_NAME');
    const marketType = place || /TO BE PLACED|\bPLACE\b/i.test(eventName) ? 'PLACE' : 'WIN';
    const common = {
      provider: BSP_PROVIDER,
      sourceEventId: sourceMarketId,
      sourceMarketId,
      sport,
      competition: null,
      eventName: head('MENU_HINT') || null,
      homeTeam: null,
      awayTeam: null,
      venue: venueOf(head('MENU_HINT')),
      raceNumber: null,
      startTime,
      marketType,
      numberOfPlaces: null,
    };
    const book: RawMarketBook = {
      ...common,
      marketName: eventName || null,
      bookmaker: BSP_BOOKMAKER,
      side: 'back',
      status: 'OPEN',
      inPlay: false,
      priceFormat: 'decimal',
      selections: marketRows.map(({ get }) => ({
        sourceSelectionId: get('SELECTION_ID'),
        name: get('SELECTION_NAME') || null,
        price: price(get('BSP')),
        point: null,
        size: null,
        status: 'ACTIVE',
        ...noExchangeData(),
      })),
      eventTime: startTime,
      receivedAt: startTime,
      payload,
      ...noExchangeMarketData,
    };
    const result: RawResult = {
      ...common,
      completed: true,
      scores: [],
      runners: marketRows.map(({ get }) => ({
        sourceSelectionId: get('SELECTION_ID'),
        name: get('SELECTION_NAME') || null,
        // Betfair marks the placed runners of a place market WINNER too.
        status: get('WIN_LOSE') === '1' ? 'WINNER' : 'LOSER',
        bsp: price(get('BSP')) === null ? null : Number(get('BSP')),
      })),
      eventTime: startTime,
      receivedAt: startTime,
      payload,
    };
    const books = book.selections.some((s) => s.price !== null) ? [book] : [];
    return { position: line, books, results: [result], failures: [] };
  };

  for await (const row of rows) {
    if (row.fields.length !== header.length) {
      if (row.line >= options.from) {
        const message = `${row.fields.length} fields where the header has ${header.length}`;
        yield {
          position: row.line,
          books: [],
          results: [],
          failures: [failure(options.file, row, 'CSV_ROW', message)],
        };
      }
      continue;
    }
    const get = (column: string): string => (row.fields[index.get(column) ?? -1] ?? '').trim();
    const id = get('EVENT_ID');
    if (market?.id !== id) {
      const chunk = flush();
      if (chunk !== undefined && chunk.position >= options.from) yield chunk;
      market = { id, rows: [] };
    }
    market.rows.push({ row, get });
  }
  const chunk = flush();
  if (chunk !== undefined && chunk.position >= options.from) yield chunk;
}
