import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { isBlankName, nameKey } from '../normalize/name-key.js';
import { toDecimalOdds } from '../normalize/price-format.js';
import { issue, type Issue } from './issues.js';
import type { ParsedRawBook } from './raw-schemas.js';
import { checkStartTime, type StartTimeWindow } from './start-time-window.js';

/** Inclusive bounds of decimal odds: Betfair's price ladder runs from 1.01 to 1000. */
export const oddsRangeSchema = z
  .object({ min: z.number().gt(1).default(1.01), max: z.number().gt(1).default(1000) })
  .strict()
  .refine((r) => r.min <= r.max, { message: 'min must not exceed max' });

export type OddsRange = z.output<typeof oddsRangeSchema>;

export const defaultOddsRange: OddsRange = oddsRangeSchema.parse({});

export interface BookRuleOptions {
  oddsRange: OddsRange;
  startTimeWindow: StartTimeWindow;
}

export interface BookRuleOutcome {
  issues: Issue[];
  /** Decimal odds per selection (same order); null when removed, unpriced or invalid. */
  decimalOdds: (number | null)[];
}

function priceOf(book: ParsedRawBook, index: number, range: OddsRange, issues: Issue[]): number | null {
  const selection = book.selections[index];
  // A removed runner's last price is history, not an offer (MarketBook: null when removed).
  if (selection?.price == null || selection.status === 'REMOVED') return null;
  const path = `selections[${index}].price`;
  const converted = toDecimalOdds(selection.price, book.priceFormat);
  if (!converted.ok) {
    issues.push(issue(path, converted.code, converted.message));
    return null;
  }
  const odds = converted.decimal;
  if (odds.lt(new Decimal(range.min)) || odds.gt(new Decimal(range.max))) {
    const from = book.priceFormat === 'decimal' ? '' : ` (${book.priceFormat} "${selection.price}")`;
    issues.push(
      issue(
        path,
        'ODDS_OUT_OF_RANGE',
        `decimal odds ${odds.toString()}${from} outside [${range.min}, ${range.max}]`,
      ),
    );
    return null;
  }
  return odds.toNumber();
}

function checkEventNames(book: ParsedRawBook): Issue[] {
  const issues: Issue[] = [];
  for (const field of ['homeTeam', 'awayTeam', 'venue'] as const) {
    const value = book[field];
    if (value !== null && isBlankName(value))
      issues.push(issue(field, 'EMPTY_NAME', `${field} "${value}" is blank`));
  }
  return issues;
}

// The same runner twice would count twice in the overround. A handicap market may list one
// runner at several lines, so the line is part of what makes a selection unique.
function checkDuplicates(book: ParsedRawBook): Issue[] {
  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  book.selections.forEach((selection, index) => {
    const line = selection.point ?? '';
    const keys = [`id:${selection.sourceSelectionId}@${line}`];
    if (selection.name !== null && !isBlankName(selection.name))
      keys.push(`name:${nameKey(selection.name)}@${line}`);
    const first = keys.map((k) => seen.get(k)).find((i) => i !== undefined);
    if (first !== undefined) {
      issues.push(
        issue(`selections[${index}]`, 'DUPLICATE_SELECTION', `same selection as selections[${first}]`),
      );
    }
    for (const key of keys) if (!seen.has(key)) seen.set(key, index);
  });
  return issues;
}

/**
 * The business rules of a raw book, every one of them (not only the first failure), so a dead
 * letter tells the whole story. The crossed-book rule needs canonical ids and memory of the other
 * side: see crossed-book.ts.
 */
export function checkBookRules(book: ParsedRawBook, options: BookRuleOptions): BookRuleOutcome {
  const issues: Issue[] = [...checkEventNames(book)];
  const decimalOdds: (number | null)[] = [];
  book.selections.forEach((selection, index) => {
    if (selection.name !== null && isBlankName(selection.name)) {
      issues.push(
        issue(`selections[${index}].name`, 'EMPTY_NAME', `selection name "${selection.name}" is blank`),
      );
    }
    if (selection.size !== null && selection.size < 0) {
      issues.push(issue(`selections[${index}].size`, 'NEGATIVE_SIZE', `size ${selection.size} is negative`));
    }
    decimalOdds.push(priceOf(book, index, options.oddsRange, issues));
  });
  issues.push(...checkDuplicates(book));
  const active = book.selections.filter((s) => s.status !== 'REMOVED').length;
  if (active < 2) {
    issues.push(
      issue(
        'selections',
        'TOO_FEW_SELECTIONS',
        `${active} selection(s) not removed; a market needs at least 2`,
      ),
    );
  }
  issues.push(...checkStartTime(book.startTime, book.eventTime, options.startTimeWindow));
  return { issues, decimalOdds };
}
