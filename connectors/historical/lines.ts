import { StringDecoder } from 'node:string_decoder';

/** Default longest line read whole: Betfair's own limit for a stream line. */
export const defaultMaxLineLength = 32 * 1024 * 1024;

export interface TextLineOptions {
  /** Longest line (in characters) kept; a longer one is skipped as it arrives, never buffered. */
  maxLineLength?: number;
  /** Told of each line skipped for its length (its length so far counted), before its place is yielded. */
  onTooLong?: (length: number) => void;
}

/**
 * Text lines of a byte stream (`\n` or `\r\n`), decoded as UTF-8 across chunk boundaries; a
 * character cut off at the very end becomes U+FFFD instead of vanishing. Blank lines are yielded
 * too, so that a line's index is its line number; a final line break gives no empty line after it.
 * A line longer than `maxLineLength` is dropped as it streams in (a file of one endless line
 * cannot exhaust memory): `onTooLong` hears of it and an empty line keeps its number.
 */
export async function* textLines(
  chunks: AsyncIterable<Buffer>,
  options: TextLineOptions = {},
): AsyncGenerator<string> {
  const max = options.maxLineLength ?? defaultMaxLineLength;
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let skipped: number | undefined;
  for await (const chunk of chunks) {
    const text = carry + decoder.write(chunk);
    let start = 0;
    for (;;) {
      const lf = text.indexOf('\n', start);
      if (lf === -1) break;
      if (skipped !== undefined) {
        options.onTooLong?.(skipped + lf - start);
        skipped = undefined;
        yield '';
      } else if (lf - start > max) {
        options.onTooLong?.(lf - start);
        yield '';
      } else {
        yield text.charCodeAt(lf - 1) === 13 && lf > start
          ? text.slice(start, lf - 1)
          : text.slice(start, lf);
      }
      start = lf + 1;
    }
    carry = text.slice(start);
    if (skipped !== undefined || carry.length > max) {
      skipped = (skipped ?? 0) + carry.length;
      carry = '';
    }
  }
  const rest = carry + decoder.end();
  if (skipped !== undefined) {
    options.onTooLong?.(skipped + rest.length);
    yield '';
  } else if (rest.length > max) {
    options.onTooLong?.(rest.length);
    yield '';
  } else if (rest.length > 0) yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

/**
 * The same lines as node:readline gives them, which also breaks at a lone `\r`: how Betfair
 * stream files have always been read here (the socket's CRLF framing, and readline before).
 */
export async function* readlineLines(lines: AsyncIterable<string>): AsyncGenerator<string> {
  for await (const line of lines) {
    if (line.includes('\r')) yield* line.split('\r');
    else yield line;
  }
}
