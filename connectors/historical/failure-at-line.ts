import type { ParseFailure } from '../contract.js';

/** A failure whose error paths start with the file and line it was read from. */
export function withFileLine(failure: ParseFailure, file: string, line: number): ParseFailure {
  return {
    ...failure,
    errors: failure.errors.map((e) => ({ ...e, path: `${file}:${line} ${e.path}`.trimEnd() })),
  };
}
