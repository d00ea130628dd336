import { z } from 'zod';
import type { RawMarketBook, RawResult } from '../../src/core/generated/avro-types.js';
import { priceFormats } from '../normalize/price-format.js';
import { formatPath, issue, type Issue } from './issues.js';

// Records normally arrive Avro-decoded (every field present); `transform` may hand in JSON
// without the nullable fields, hence the defaults, which are the Avro defaults.
// Names and ids become keys of the processors' state (dedupe, crossed books, cross-book,
// features), which is capped in entries; capping their length caps it in bytes too. Real ones
// are a few dozen characters; the payload, which no state keeps, is not capped.
export const maxTextLength = 1000;
const text = z.string().max(maxTextLength);
const requiredText = text.min(1);
const optionalText = text.nullable().default(null);
// Epoch milliseconds within the range of an ECMAScript Date (±8.64e15 ms, the year 275760):
// past it `new Date(t).toISOString()` throws, and no provider means such a time.
const maxTimestamp = 8.64e15;
const timestamp = z.number().int().nonnegative().max(maxTimestamp);
const positiveInt = z.number().int().positive();

export const selectionStatuses = ['ACTIVE', 'REMOVED', 'WINNER', 'LOSER', 'PLACED'] as const;
export const marketStatuses = ['OPEN', 'SUSPENDED', 'CLOSED'] as const;

const optionalNumber = z.number().nullable().default(null);

const rawSelectionSchema = z.object({
  sourceSelectionId: requiredText,
  name: optionalText,
  price: optionalText,
  point: optionalNumber,
  size: optionalNumber,
  status: z.enum(selectionStatuses).default('ACTIVE'),
  handicap: optionalNumber,
  lastTradedPrice: optionalNumber,
  tradedVolume: optionalNumber,
  // Three levels are what connectors send; the cap keeps a broken producer from bloating state.
  depth: z
    .array(z.object({ price: z.number(), size: z.number() }))
    .max(10)
    .default([]),
  bspNear: optionalNumber,
  bspFar: optionalNumber,
});

/** The event as a provider names it: the same fields on a raw book and a raw result. */
const eventShape = {
  sport: requiredText,
  competition: optionalText,
  eventName: optionalText,
  homeTeam: optionalText,
  awayTeam: optionalText,
  venue: optionalText,
  raceNumber: positiveInt.nullable().default(null),
  startTime: timestamp.nullable().default(null),
};

export const rawMarketBookSchema = z.object({
  provider: requiredText,
  sourceEventId: requiredText,
  sourceMarketId: requiredText,
  ...eventShape,
  marketType: requiredText,
  marketName: optionalText,
  bookmaker: requiredText,
  side: z.enum(['back', 'lay']),
  status: z.enum(marketStatuses),
  inPlay: z.boolean().default(false),
  numberOfPlaces: positiveInt.nullable().default(null),
  priceFormat: z.enum(priceFormats),
  selections: z.array(rawSelectionSchema),
  eventTime: timestamp,
  receivedAt: timestamp,
  payload: z.string(),
  // A percentage (Betfair: 2 to 10); anything outside 0–100 is not a commission rate.
  marketBaseRate: z.number().min(0).max(100).nullable().default(null),
  totalMatched: optionalNumber,
}) satisfies z.ZodType<RawMarketBook, unknown>;

export type ParsedRawBook = z.output<typeof rawMarketBookSchema>;

const rawRunnerResultSchema = z.object({
  sourceSelectionId: requiredText,
  name: optionalText,
  status: z.enum(['WINNER', 'LOSER', 'PLACED', 'REMOVED']),
  bsp: optionalNumber,
});

export const rawResultSchema = z.object({
  provider: requiredText,
  sourceEventId: requiredText,
  sourceMarketId: optionalText,
  ...eventShape,
  marketType: optionalText,
  numberOfPlaces: positiveInt.nullable().default(null),
  completed: z.boolean(),
  scores: z.array(z.object({ name: text, score: text })).default([]),
  runners: z.array(rawRunnerResultSchema).default([]),
  eventTime: timestamp,
  receivedAt: timestamp,
  payload: z.string(),
}) satisfies z.ZodType<RawResult, unknown>;

export type ParsedRawResult = z.output<typeof rawResultSchema>;

export type SchemaCheck<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

function check<T>(schema: z.ZodType<T, unknown>, input: unknown): SchemaCheck<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => issue(formatPath(i.path), 'SCHEMA', i.message)),
  };
}

export function parseRawBook(input: unknown): SchemaCheck<ParsedRawBook> {
  return check(rawMarketBookSchema, input);
}

export function parseRawResult(input: unknown): SchemaCheck<ParsedRawResult> {
  return check(rawResultSchema, input);
}
