import { isBlankName, nameKey } from '../normalize/name-key.js';
import { issue, type Issue } from './issues.js';
import { parseRawResult, type ParsedRawResult } from './raw-schemas.js';

export type ResultValidation =
  { kind: 'unreadable'; issues: Issue[] } | { kind: 'checked'; result: ParsedRawResult; issues: Issue[] };

function blankNames(result: ParsedRawResult): Issue[] {
  const issues: Issue[] = [];
  for (const field of ['homeTeam', 'awayTeam', 'venue'] as const) {
    const value = result[field];
    if (value !== null && isBlankName(value))
      issues.push(issue(field, 'EMPTY_NAME', `${field} "${value}" is blank`));
  }
  result.scores.forEach((s, i) => {
    if (isBlankName(s.name))
      issues.push(issue(`scores[${i}].name`, 'EMPTY_NAME', `score name "${s.name}" is blank`));
  });
  result.runners.forEach((r, i) => {
    if (r.name !== null && isBlankName(r.name)) {
      issues.push(issue(`runners[${i}].name`, 'EMPTY_NAME', `runner name "${r.name}" is blank`));
    }
  });
  return issues;
}

function duplicates(keys: readonly string[], collection: string): Issue[] {
  const seen = new Map<string, number>();
  const issues: Issue[] = [];
  keys.forEach((key, i) => {
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push(
        issue(`${collection}[${i}]`, 'DUPLICATE_SELECTION', `same selection as ${collection}[${first}]`),
      );
    } else seen.set(key, i);
  });
  return issues;
}

/**
 * A result is published once the provider calls the event completed (The Odds API flips
 * `completed` to true; a live game has scores but no result yet), so an incomplete one is rejected.
 */
export function validateResult(input: unknown): ResultValidation {
  const parsed = parseRawResult(input);
  if (!parsed.ok) return { kind: 'unreadable', issues: parsed.issues };
  const result = parsed.value;
  const issues: Issue[] = [];
  if (!result.completed)
    issues.push(issue('completed', 'RESULT_NOT_COMPLETED', 'the provider has not completed the event'));
  issues.push(...blankNames(result));
  issues.push(
    ...duplicates(
      result.runners.map((r) => r.sourceSelectionId),
      'runners',
    ),
  );
  issues.push(
    ...duplicates(
      result.scores.map((s) => nameKey(s.name)),
      'scores',
    ),
  );
  return { kind: 'checked', result, issues };
}
