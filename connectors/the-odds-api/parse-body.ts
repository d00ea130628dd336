import type { DeadLetterError } from '../../src/core/generated/avro-types.js';
import type { ParseFailure } from '../contract.js';
import { nestedDeeperThan, nestingError, nestingTooDeep } from '../json-depth.js';

export const provider = 'the-odds-api';

/** Reason codes of this connector's dead letters: dashboards and replays filter on them. */
export const parseReasons = {
  /** The body is not JSON at all (a truncated or garbled response). */
  malformedJson: 'MALFORMED_JSON',
  /** JSON that does not have the documented shape; the errors say where. */
  schema: 'SCHEMA',
  /** JSON nested far deeper than any response (json-depth.ts). */
  tooDeep: nestingTooDeep,
} as const;

export function parseFailure(reasonCode: string, errors: DeadLetterError[], payload: string): ParseFailure {
  return { provider, reasonCode, errors, payload };
}

export type JsonBody = { ok: true; value: unknown } | { ok: false; failure: ParseFailure };

/** The response body as JSON, or a failure that keeps the body byte for byte. */
export function readJsonBody(body: string): JsonBody {
  if (nestedDeeperThan(body)) {
    return { ok: false, failure: parseFailure(parseReasons.tooDeep, [nestingError('')], body) };
  }
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      failure: parseFailure(parseReasons.malformedJson, [{ path: '', code: 'invalid_json', message }], body),
    };
  }
}

/** A response whose top level is not the documented array: nothing in it can be trusted. */
export function notAnArray(value: unknown, body: string): ParseFailure {
  return parseFailure(
    parseReasons.schema,
    [
      {
        path: '',
        code: 'invalid_type',
        message: `expected an array of events, got ${value === null ? 'null' : typeof value}`,
      },
    ],
    body,
  );
}
