import type { DeadLetterError, RawMarketBook, RawSelection } from '../../src/core/generated/avro-types.js';
import { noExchangeData, noExchangeMarketData, type ParseFailure } from '../contract.js';
import { nestedDeeperThan, nestingError } from '../json-depth.js';
import {
  bookStatuses,
  priceFormats,
  selectionStatuses,
  sides,
  type Condition,
  type FieldMapping,
} from './field-mapping.js';
import { FieldReader } from './field-reader.js';
import { collect, resolveValue, type Scope } from './json-path.js';

export interface ParseOptions {
  /** The `provider` of every record: `ws-json`, or the name configured for this feed. */
  provider: string;
  /** When the frame arrived; also the eventTime of books whose mapping has no `timestamp`. */
  receivedAt: number;
}

export type ParseOutcome =
  | { kind: 'books'; books: RawMarketBook[] }
  /** Valid JSON that the filter says carries no odds (acks, heartbeats, news). */
  | { kind: 'ignored' }
  | { kind: 'failure'; failure: ParseFailure };

function holds(condition: Condition, chain: readonly Scope[]): boolean {
  const { value } = resolveValue(condition.path, chain);
  if (condition.exists !== undefined) return (value !== undefined && value !== null) === condition.exists;
  if (condition.in !== undefined) return condition.in.some((v) => v === value);
  return value === condition.equals;
}

function failure(provider: string, errors: DeadLetterError[], payload: Buffer | string): ParseFailure {
  return { provider, reasonCode: errors[0]?.code ?? 'INVALID_VALUE', errors, payload };
}

function readSelection(
  mapping: FieldMapping,
  chain: readonly Scope[],
  issues: DeadLetterError[],
): RawSelection {
  const read = new FieldReader(chain, issues, mapping.timeFormat);
  const f = mapping.selection;
  const status = read.oneOf('selection.status', f.status, selectionStatuses);
  return {
    sourceSelectionId: read.text('selection.id', f.id, true),
    name: read.text('selection.name', f.name),
    // A scratched runner often has no price key at all; any other selection without one means
    // the mapping points at the wrong place, which must not pass as "no price offered".
    price: read.price('selection.price', f.price, status === 'REMOVED'),
    point: read.number('selection.point', f.point),
    size: read.number('selection.size', f.size),
    status,
    ...noExchangeData(),
  };
}

function readBook(
  mapping: FieldMapping,
  chain: readonly Scope[],
  issues: DeadLetterError[],
  options: ParseOptions,
  payload: string,
): RawMarketBook {
  const read = new FieldReader(chain, issues, mapping.timeFormat);
  const f = mapping.book;
  const found = collect(mapping.selections, chain);
  for (const where of found.missing) {
    issues.push({ path: where, code: 'MISSING_FIELD', message: 'selections are required but absent' });
  }
  return {
    provider: options.provider,
    sourceEventId: read.text('book.eventId', f.eventId, true),
    sourceMarketId: read.text('book.marketId', f.marketId, true),
    sport: read.text('book.sport', f.sport, true),
    competition: read.text('book.competition', f.competition),
    eventName: read.text('book.eventName', f.eventName),
    homeTeam: read.text('book.homeTeam', f.homeTeam),
    awayTeam: read.text('book.awayTeam', f.awayTeam),
    venue: read.text('book.venue', f.venue),
    raceNumber: read.number('book.raceNumber', f.raceNumber, true),
    startTime: read.time('book.startTime', f.startTime, false),
    marketType: read.text('book.marketType', f.marketType, true),
    marketName: read.text('book.marketName', f.marketName),
    bookmaker: read.text('book.bookmaker', f.bookmaker, true),
    side: read.oneOf('book.side', f.side, sides),
    status: read.oneOf('book.status', f.status, bookStatuses),
    inPlay: read.boolean('book.inPlay', f.inPlay),
    numberOfPlaces: read.number('book.numberOfPlaces', f.numberOfPlaces, true),
    priceFormat: read.oneOf('book.priceFormat', f.priceFormat, priceFormats),
    selections: found.chains.map((selectionChain) => readSelection(mapping, selectionChain, issues)),
    eventTime: read.time('book.timestamp', f.timestamp, true) ?? options.receivedAt,
    receivedAt: options.receivedAt,
    payload,
    ...noExchangeMarketData,
  };
}

/**
 * One frame → the books it carries. A frame is all or nothing: if any book or selection is
 * malformed the whole frame is dead-lettered with every issue, because the dead letter keeps the
 * frame byte for byte and replaying it after a mapping fix must not duplicate books that were
 * already published.
 */
export function parseFrame(
  frame: Buffer | string,
  mapping: FieldMapping,
  options: ParseOptions,
): ParseOutcome {
  const text = typeof frame === 'string' ? frame : frame.toString('utf8');
  if (nestedDeeperThan(text)) {
    return { kind: 'failure', failure: failure(options.provider, [nestingError()], frame) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const errors = [{ path: '$', code: 'MALFORMED_JSON', message: (err as Error).message }];
    return { kind: 'failure', failure: failure(options.provider, errors, frame) };
  }
  const root: Scope[] = [{ value: json, key: null, where: '$' }];
  if (!mapping.filter.every((condition) => holds(condition, root))) return { kind: 'ignored' };

  const issues: DeadLetterError[] = [];
  const found = collect(mapping.books, root);
  for (const where of found.missing) {
    issues.push({ path: where, code: 'MISSING_FIELD', message: 'books are required but absent' });
  }
  // The original JSON of each book: the frame itself when it is the book, else the book's object.
  const books = found.chains.map((chain) => {
    const payload = chain.length === 1 ? text : JSON.stringify(chain[chain.length - 1]?.value);
    return readBook(mapping, chain, issues, options, payload);
  });
  if (issues.length > 0) return { kind: 'failure', failure: failure(options.provider, issues, frame) };
  return { kind: 'books', books };
}
