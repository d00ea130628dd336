import type { DeadLetterError } from '../../src/core/generated/avro-types.js';

/**
 * Why a record was rejected: the `reasonCode` of a DeadLetter and the `code` of each of its errors.
 * Stable on purpose: dashboards, alerts and replays filter on them.
 */
export const reasonCodes = [
  'SCHEMA',
  'INVALID_PRICE',
  'ODDS_OUT_OF_RANGE',
  'TOO_FEW_SELECTIONS',
  'START_TIME_OUT_OF_WINDOW',
  'EMPTY_NAME',
  'NEGATIVE_SIZE',
  'DUPLICATE_SELECTION',
  'CROSSED_BOOK',
  'MISSING_LINE',
  'LINE_MISMATCH',
  'RESULT_NOT_COMPLETED',
] as const;

export type ReasonCode = (typeof reasonCodes)[number];

/** The DeadLetterError shape with a code from the list above. */
export interface Issue extends DeadLetterError {
  code: ReasonCode;
}

export function issue(path: string, code: ReasonCode, message: string): Issue {
  return { path, code, message };
}

/** `['selections', 3, 'price']` → `selections[3].price`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
