import { StringDecoder } from 'node:string_decoder';

/**
 * Text lines of a byte stream (`\n` or `\r\n`), decoded as UTF-8 across chunk boundaries; a
 * character cut off at the very end becomes U+FFFD instead of vanishing. Blank lines are yielded
 * too, so that a line's index is its line number; a final line break gives no empty line after it.
 */
export async function* textLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry + decoder.write(chunk);
    let start = 0;
    for (;;) {
      const lf = text.indexOf('\n', start);
      if (lf === -1) break;
      yield text.charCodeAt(lf - 1) === 13 && lf > start ? text.slice(start, lf - 1) : text.slice(start, lf);
      start = lf + 1;
    }
    carry = text.slice(start);
  }
  const rest = carry + decoder.end();
  if (rest.length > 0) yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
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
