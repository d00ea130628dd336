import { checkBookRules, defaultOddsRange, type OddsRange } from './book-rules.js';
import type { Issue } from './issues.js';
import { parseRawBook, type ParsedRawBook } from './raw-schemas.js';
import { defaultStartTimeWindow, type StartTimeWindow } from './start-time-window.js';

export interface ValidateBookOptions {
  oddsRange?: OddsRange;
  startTimeWindow?: StartTimeWindow;
}

export type BookValidation =
  /** Not a RawMarketBook: only SCHEMA issues, nothing further could be checked. */
  | { kind: 'unreadable'; issues: Issue[] }
  /** A RawMarketBook, with every business-rule issue (empty when valid). */
  | { kind: 'checked'; book: ParsedRawBook; decimalOdds: (number | null)[]; issues: Issue[] };

export function validateBook(input: unknown, options: ValidateBookOptions = {}): BookValidation {
  const parsed = parseRawBook(input);
  if (!parsed.ok) return { kind: 'unreadable', issues: parsed.issues };
  const { issues, decimalOdds } = checkBookRules(parsed.value, {
    oddsRange: options.oddsRange ?? defaultOddsRange,
    startTimeWindow: options.startTimeWindow ?? defaultStartTimeWindow,
  });
  return { kind: 'checked', book: parsed.value, decimalOdds, issues };
}
