import type { DeadLetterError } from '../src/core/generated/avro-types.js';

/**
 * Provider payloads nest a handful of levels (an Odds API response 8, a Betfair message 7). JSON
 * nested thousands of levels deep parses fine, but every recursive step after the parse
 * (JSON.stringify of a book's payload, a walk over the values) overflows the stack on it, so such
 * a payload is refused before it is parsed. 64 leaves room for any feed a field mapping describes.
 */
export const maxJsonDepth = 64;

/** Reason code (and error code) of a payload refused for its nesting. */
export const nestingTooDeep = 'NESTING_TOO_DEEP';

/**
 * True when the JSON text opens more than `limit` arrays or objects inside one another. Reads
 * the text once, without recursion; brackets inside strings do not count. Malformed text is
 * left to JSON.parse.
 */
export function nestedDeeperThan(text: string, limit = maxJsonDepth): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = closingQuote(text, i);
      if (end === -1) return false;
      i = end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * Index of the quote closing the string that opens at `open`: the next one not escaped by an odd
 * run of backslashes; -1 when the string is not closed.
 */
export function closingQuote(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  while (end !== -1 && escaped(text, end)) end = text.indexOf('"', end + 1);
  return end;
}

function escaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let i = quote - 1; i >= 0 && text.charCodeAt(i) === 0x5c; i--) backslashes++;
  return backslashes % 2 === 1;
}

/** The dead-letter error of a payload nested too deep. */
export function nestingError(path = '$'): DeadLetterError {
  return {
    path,
    code: nestingTooDeep,
    message: `JSON nested more than ${maxJsonDepth} levels deep; provider payloads never are`,
  };
}
