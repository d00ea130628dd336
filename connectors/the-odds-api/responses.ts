import { z } from 'zod';
import type { DeadLetterError } from '../../src/core/generated/avro-types.js';

/**
 * `commence_time` and `last_update` come as ISO 8601 strings by default and as unix seconds with
 * `dateFormat=unix` (https://the-odds-api.com/liveapi/guides/v4/#parameters-2); recorded responses
 * hold both, so either is accepted and normalised to epoch milliseconds.
 */
export const providerTime = z.union([
  z
    .number()
    .nonnegative()
    .transform((seconds) => Math.round(seconds * 1000)),
  z.iso.datetime({ offset: true }).transform((iso) => Date.parse(iso)),
]);

// z.object drops keys it does not know: the provider adds fields over time and clients that
// recorded these files added their own (`odds`, `startTime`); none of them may break parsing.

export const outcomeSchema = z.object({
  name: z.string().min(1),
  /** Decimal (2.5) or American (-110, 240) depending on the request's oddsFormat. */
  price: z.number(),
  /** The line of spreads and totals. */
  point: z.number().nullish(),
  /** The player or participant of prop markets, where `name` is Over/Under. */
  description: z.string().nullish(),
});

export const marketSchema = z.object({
  key: z.string().min(1),
  /** Absent in older responses; the bookmaker's last_update then stands for it. */
  last_update: providerTime.nullish(),
  outcomes: z.array(outcomeSchema),
});

/** A bookmaker with its markets left unparsed, so that one bad market does not sink the others. */
export const bookmakerHeaderSchema = z.object({
  key: z.string().min(1),
  title: z.string().nullish(),
  last_update: providerTime.nullish(),
  markets: z.array(z.unknown()),
});

const eventFields = {
  id: z.string().min(1),
  sport_key: z.string().min(1),
  sport_title: z.string().nullish(),
  commence_time: providerTime,
  /** Null for outrights (golf, futures), which have no teams. */
  home_team: z.string().nullish(),
  away_team: z.string().nullish(),
};

/** An odds event with its bookmakers left unparsed (see bookmakerHeaderSchema). */
export const oddsEventHeaderSchema = z.object({ ...eventFields, bookmakers: z.array(z.unknown()) });

export const bookmakerSchema = bookmakerHeaderSchema.extend({ markets: z.array(marketSchema) });
export const oddsEventSchema = z.object({ ...eventFields, bookmakers: z.array(bookmakerSchema) });
/** GET /v4/sports/{sport}/odds */
export const oddsResponseSchema = z.array(oddsEventSchema);

export const scoreSchema = z.object({
  name: z.string().min(1),
  /** A string on the wire ("112"), kept as one. */
  score: z.string(),
});

export const scoreEventSchema = z.object({
  ...eventFields,
  completed: z.boolean(),
  /** Null until the event starts. */
  scores: z.array(scoreSchema).nullish(),
  last_update: providerTime.nullish(),
});
/** GET /v4/sports/{sport}/scores */
export const scoresResponseSchema = z.array(scoreEventSchema);

export const sportSchema = z.object({
  key: z.string().min(1),
  group: z.string(),
  title: z.string(),
  description: z.string().nullish(),
  active: z.boolean(),
  has_outrights: z.boolean(),
});
/** GET /v4/sports (free) */
export const sportsResponseSchema = z.array(sportSchema);

/** GET /v4/sports/{sport}/events (free): events without odds. */
export const eventsResponseSchema = z.array(z.object(eventFields));

export type Outcome = z.output<typeof outcomeSchema>;
export type Market = z.output<typeof marketSchema>;
export type OddsEvent = z.output<typeof oddsEventSchema>;
export type ScoreEvent = z.output<typeof scoreEventSchema>;
export type Sport = z.output<typeof sportSchema>;

/** `[3, 'bookmakers', 1, 'price']` → `[3].bookmakers[1].price`, the style of the other dead letters. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Every zod issue as a dead-letter error, its path taken from the root of the response. */
export function issuesToErrors(error: z.ZodError, prefix: readonly PropertyKey[]): DeadLetterError[] {
  return error.issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]),
    code: issue.code,
    message: issue.message,
  }));
}

/** The object's own fields without `key`: the header of an event or bookmaker, unknown fields kept. */
export function omitKey(value: unknown, key: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  delete copy[key];
  return copy;
}
