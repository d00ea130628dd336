import { z } from 'zod';
import type { DeadLetterError } from '../../src/core/generated/avro-types.js';
import type { ParseFailure } from '../contract.js';
import { nestedDeeperThan, nestingError, nestingTooDeep } from '../json-depth.js';

// Message shapes of the Exchange Stream API, after Betfair's swagger schema
// (https://github.com/betfair/stream-api-sample-code/blob/master/ESASwaggerSchema.json).
// Objects are loose: Betfair adds fields over time and recordings carry keys of their own
// (flumine writes `_stream_id` into a market change), and none of that may fail a message.
// Nothing is transformed here, so a parsed message still serialises to what Betfair sent.

export const PROVIDER = 'betfair';

/** Recordings carry `"NaN"` and `"Infinity"` as strings where a number is expected (spn, spf). */
const streamNumber = z.union([z.number(), z.literal(['NaN', 'Infinity', '-Infinity'])]);
export type StreamNumber = z.infer<typeof streamNumber>;

/** `[price, size]`, keyed by price; size 0 removes the price. */
const pricePairs = z.array(z.tuple([z.number(), z.number()]));
/** `[level, price, size]`, keyed by level; size 0 removes the level. */
const levelTriples = z.array(z.tuple([z.number(), z.number(), z.number()]));

export const runnerChangeSchema = z.looseObject({
  id: z.number(),
  hc: z.number().nullish(),
  ltp: streamNumber.nullish(),
  tv: streamNumber.nullish(),
  spn: streamNumber.nullish(),
  spf: streamNumber.nullish(),
  atb: pricePairs.nullish(),
  atl: pricePairs.nullish(),
  trd: pricePairs.nullish(),
  spb: pricePairs.nullish(),
  spl: pricePairs.nullish(),
  batb: levelTriples.nullish(),
  batl: levelTriples.nullish(),
  bdatb: levelTriples.nullish(),
  bdatl: levelTriples.nullish(),
});
export type RunnerChange = z.infer<typeof runnerChangeSchema>;

export const runnerStatuses = [
  'ACTIVE',
  'WINNER',
  'LOSER',
  'PLACED',
  'REMOVED',
  'REMOVED_VACANT',
  'HIDDEN',
] as const;
export type RunnerStatus = (typeof runnerStatuses)[number];

export const runnerDefinitionSchema = z.looseObject({
  id: z.number(),
  status: z.enum(runnerStatuses),
  hc: z.number().nullish(),
  sortPriority: z.number().nullish(),
  bsp: streamNumber.nullish(),
  adjustmentFactor: z.number().nullish(),
  removalDate: z.string().nullish(),
  /** Only historic (PRO) files name runners; the live stream does not. */
  name: z.string().nullish(),
});
export type RunnerDefinition = z.infer<typeof runnerDefinitionSchema>;

export const marketStatuses = ['INACTIVE', 'OPEN', 'SUSPENDED', 'CLOSED'] as const;

export const marketDefinitionSchema = z.looseObject({
  eventTypeId: z.string(),
  eventId: z.string(),
  marketType: z.string(),
  status: z.enum(marketStatuses),
  runners: z.array(runnerDefinitionSchema),
  inPlay: z.boolean().nullish(),
  numberOfWinners: z.number().nullish(),
  bettingType: z.string().nullish(),
  venue: z.string().nullish(),
  countryCode: z.string().nullish(),
  marketTime: z.string().nullish(),
  openDate: z.string().nullish(),
  settledTime: z.string().nullish(),
  version: z.number().nullish(),
  bspMarket: z.boolean().nullish(),
  /** Commission on net winnings in percent (5 = 5 %): the rate bets on this market pay. */
  marketBaseRate: z.number().nullish(),
  /** Historic files only. */
  name: z.string().nullish(),
  eventName: z.string().nullish(),
});
export type MarketDefinition = z.infer<typeof marketDefinitionSchema>;

export const marketChangeSchema = z.looseObject({
  id: z.string(),
  img: z.boolean().nullish(),
  con: z.boolean().nullish(),
  tv: streamNumber.nullish(),
  marketDefinition: marketDefinitionSchema.nullish(),
  rc: z.array(runnerChangeSchema).nullish(),
});
export type MarketChange = z.infer<typeof marketChangeSchema>;

export const changeTypes = ['SUB_IMAGE', 'RESUB_DELTA', 'HEARTBEAT'] as const;
export const segmentTypes = ['SEG_START', 'SEG', 'SEG_END'] as const;
export type ChangeType = (typeof changeTypes)[number];
export type SegmentType = (typeof segmentTypes)[number];

export const marketChangeMessageSchema = z.looseObject({
  op: z.literal('mcm'),
  id: z.number().nullish(),
  // Segment markers belong in `segmentType`; `ct` also admits them because some client
  // libraries and write-ups describe SEG_START/SEG_END as change types.
  ct: z.enum([...changeTypes, ...segmentTypes]).nullish(),
  segmentType: z.enum(segmentTypes).nullish(),
  clk: z.string().nullish(),
  initialClk: z.string().nullish(),
  pt: z.number(),
  heartbeatMs: z.number().nullish(),
  conflateMs: z.number().nullish(),
  /** 503 while the stream lags behind the exchange; data keeps coming, so it fails nothing. */
  status: z.number().nullish(),
  mc: z.array(marketChangeSchema).nullish(),
});
export type MarketChangeMessage = z.infer<typeof marketChangeMessageSchema>;

export const connectionMessageSchema = z.looseObject({
  op: z.literal('connection'),
  id: z.number().nullish(),
  connectionId: z.string().nullish(),
});
export type ConnectionMessage = z.infer<typeof connectionMessageSchema>;

export const statusMessageSchema = z.looseObject({
  op: z.literal('status'),
  id: z.number().nullish(),
  statusCode: z.enum(['SUCCESS', 'FAILURE']),
  errorCode: z.string().nullish(),
  errorMessage: z.string().nullish(),
  connectionClosed: z.boolean().nullish(),
  connectionId: z.string().nullish(),
  connectionsAvailable: z.number().nullish(),
});
export type StatusMessage = z.infer<typeof statusMessageSchema>;

export function segmentOf(message: MarketChangeMessage): SegmentType | undefined {
  if (message.segmentType) return message.segmentType;
  const ct = message.ct;
  return ct === 'SEG_START' || ct === 'SEG' || ct === 'SEG_END' ? ct : undefined;
}

export function changeTypeOf(message: MarketChangeMessage): ChangeType | undefined {
  const ct = message.ct;
  return ct === 'SUB_IMAGE' || ct === 'RESUB_DELTA' || ct === 'HEARTBEAT' ? ct : undefined;
}

export type ParsedFrame =
  | { kind: 'mcm'; message: MarketChangeMessage }
  | { kind: 'status'; message: StatusMessage }
  | { kind: 'connection'; message: ConnectionMessage }
  /** A well-formed message of a stream we do not subscribe to (ocm, rcm...). */
  | { kind: 'other'; op: string }
  | { kind: 'failure'; failure: ParseFailure };

export const reasonCodes = {
  malformedJson: 'MALFORMED_JSON',
  schemaMismatch: 'SCHEMA_MISMATCH',
  lineTooLong: 'LINE_TOO_LONG',
  nestingTooDeep,
} as const;

export function parseFailure(
  reasonCode: string,
  errors: DeadLetterError[],
  payload: string | Buffer,
): ParseFailure {
  return { provider: PROVIDER, reasonCode, errors, payload };
}

function schemaFailure(error: z.ZodError, line: string): ParseFailure {
  const errors = error.issues.slice(0, 20).map((issue) => ({
    path: ['$', ...issue.path.map(String)].join('.'),
    code: issue.code,
    message: issue.message,
  }));
  return parseFailure(reasonCodes.schemaMismatch, errors, line);
}

/** One line of the stream (or of a recording) → a typed message, or why it is not one. */
export function parseFrame(line: string): ParsedFrame {
  if (nestedDeeperThan(line)) {
    return { kind: 'failure', failure: parseFailure(reasonCodes.nestingTooDeep, [nestingError()], line) };
  }
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    const errors = [{ path: '$', code: reasonCodes.malformedJson, message: (err as Error).message }];
    return { kind: 'failure', failure: parseFailure(reasonCodes.malformedJson, errors, line) };
  }
  const op = typeof json === 'object' && json !== null ? (json as { op?: unknown }).op : undefined;
  if (op === 'mcm') {
    const parsed = marketChangeMessageSchema.safeParse(json);
    return parsed.success
      ? { kind: 'mcm', message: parsed.data }
      : { kind: 'failure', failure: schemaFailure(parsed.error, line) };
  }
  if (op === 'status') {
    const parsed = statusMessageSchema.safeParse(json);
    return parsed.success
      ? { kind: 'status', message: parsed.data }
      : { kind: 'failure', failure: schemaFailure(parsed.error, line) };
  }
  if (op === 'connection') {
    const parsed = connectionMessageSchema.safeParse(json);
    return parsed.success
      ? { kind: 'connection', message: parsed.data }
      : { kind: 'failure', failure: schemaFailure(parsed.error, line) };
  }
  if (typeof op === 'string') return { kind: 'other', op };
  const errors = [{ path: '$.op', code: 'MISSING_FIELD', message: 'a stream message needs a string `op`' }];
  return { kind: 'failure', failure: parseFailure(reasonCodes.schemaMismatch, errors, line) };
}

/** `"NaN"`, `"Infinity"` and non-finite numbers carry no price: null. */
export function finiteOrNull(value: StreamNumber): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
