import type { RawResult } from '../../src/core/generated/avro-types.js';
import type { ParseFailure } from '../contract.js';
import { notAnArray, parseFailure, parseReasons, provider, readJsonBody } from './parse-body.js';
import { eventFields } from './parse-odds.js';
import { issuesToErrors, scoreEventSchema, type ScoreEvent } from './responses.js';

export interface ParsedScores {
  /** Every event of the response, completed or not: the results tracker picks the new results. */
  results: RawResult[];
  failures: ParseFailure[];
}

function toResult(event: ScoreEvent, receivedAt: number, payload: string): RawResult {
  return {
    provider,
    ...eventFields(event),
    sourceMarketId: null,
    marketType: null,
    numberOfPlaces: null,
    completed: event.completed,
    // `scores` is null before the start (https://the-odds-api.com/liveapi/guides/v4/#get-scores).
    scores: (event.scores ?? []).map(({ name, score }) => ({ name, score })),
    runners: [],
    eventTime: event.last_update ?? receivedAt,
    receivedAt,
    payload,
  };
}

/** A scores response as one RawResult per event; a malformed event is a failure, the others still parse. */
export function parseScoresResponse(value: unknown, receivedAt: number, body = ''): ParsedScores {
  if (!Array.isArray(value))
    return { results: [], failures: [notAnArray(value, body || JSON.stringify(value))] };
  const results: RawResult[] = [];
  const failures: ParseFailure[] = [];
  value.forEach((raw: unknown, i) => {
    const payload = JSON.stringify(raw);
    const event = scoreEventSchema.safeParse(raw);
    if (event.success) results.push(toResult(event.data, receivedAt, payload));
    else failures.push(parseFailure(parseReasons.schema, issuesToErrors(event.error, [i]), payload));
  });
  return { results, failures };
}

export function parseScoresBody(body: string, receivedAt: number): ParsedScores {
  const json = readJsonBody(body);
  if (!json.ok) return { results: [], failures: [json.failure] };
  return parseScoresResponse(json.value, receivedAt, body);
}
