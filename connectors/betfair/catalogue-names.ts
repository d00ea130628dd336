import type { RawMarketBook, RawResult } from '../../src/core/generated/avro-types.js';
import type { MarketCatalogue } from './betting-api.js';
import { raceNumberOf } from './books.js';
import type { MarketCatalogueCache } from './catalogue.js';

function time(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** Runner names by selection id and handicap: a handicap market lists one runner per line. */
function runnerNames(entry: MarketCatalogue): Map<string, string> {
  const names = new Map<string, string>();
  for (const r of entry.runners ?? []) names.set(`${r.selectionId}:${r.handicap ?? 0}`, r.runnerName);
  return names;
}

/**
 * What a record's own definition left out, filled from the market's catalogue: event and market
 * names, competition, venue, start, runner names. What the stream said is kept where it said it
 * (a definition's venue or a historic file's runner names win).
 */
function header<T extends RawMarketBook | RawResult>(record: T, entry: MarketCatalogue) {
  const marketName = ('marketName' in record ? record.marketName : null) ?? entry.marketName;
  return {
    eventName: record.eventName ?? entry.event?.name ?? null,
    competition: record.competition ?? entry.competition?.name ?? null,
    venue: record.venue ?? entry.event?.venue ?? null,
    raceNumber: record.raceNumber ?? raceNumberOf(marketName),
    startTime: record.startTime ?? time(entry.marketStartTime ?? entry.description?.marketTime),
    marketName,
  };
}

export function bookWithCatalogue(book: RawMarketBook, entry: MarketCatalogue | undefined): RawMarketBook {
  if (entry === undefined) return book;
  const names = runnerNames(entry);
  return {
    ...book,
    ...header(book, entry),
    selections: book.selections.map((s) => ({
      ...s,
      name: s.name ?? names.get(`${s.sourceSelectionId}:${s.point ?? 0}`) ?? null,
    })),
  };
}

export function resultWithCatalogue(result: RawResult, entry: MarketCatalogue | undefined): RawResult {
  if (entry === undefined) return result;
  const names = runnerNames(entry);
  const { marketName: _name, ...fields } = header(result, entry);
  return {
    ...result,
    ...fields,
    runners: result.runners.map((r) => ({
      ...r,
      name: r.name ?? names.get(`${r.sourceSelectionId}:0`) ?? null,
    })),
  };
}

/** The records' markets named from the catalogue, waiting (bounded) for markets new to it. */
export async function namedFromCatalogue(
  catalogue: MarketCatalogueCache | undefined,
  books: RawMarketBook[],
  results: RawResult[],
  signal: AbortSignal,
): Promise<{ books: RawMarketBook[]; results: RawResult[] }> {
  if (catalogue === undefined || books.length + results.length === 0) return { books, results };
  const markets = [...books.map((b) => b.sourceMarketId), ...results.flatMap((r) => r.sourceMarketId ?? [])];
  await catalogue.ensure(markets, signal);
  const entry = (id: string | null) => (id === null ? undefined : catalogue.get(id));
  return {
    books: books.map((b) => bookWithCatalogue(b, entry(b.sourceMarketId))),
    results: results.map((r) => resultWithCatalogue(r, entry(r.sourceMarketId))),
  };
}
