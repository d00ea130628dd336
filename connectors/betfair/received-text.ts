import { closingQuote } from '../json-depth.js';
import type { MarketChange, MarketChangeMessage } from './protocol.js';

const quote = 0x22;
const comma = 0x2c;
const colon = 0x3a;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const openBrace = 0x7b;
const closeBrace = 0x7d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** The elements of the array opening at `open`, as text, and the index after its `]`. */
function arrayElements(text: string, open: number): { elements: string[]; end: number } | undefined {
  const elements: string[] = [];
  let depth = 0;
  let start = skipSpace(text, open + 1);
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === quote) {
      i = closingQuote(text, i);
      if (i === -1) return undefined;
    } else if (c === openBracket || c === openBrace) {
      depth++;
    } else if (depth > 0 && (c === closeBracket || c === closeBrace)) {
      depth--;
    } else if (depth === 0 && (c === comma || c === closeBracket)) {
      let last = i;
      while (last > start && isSpace(text.charCodeAt(last - 1))) last--;
      if (last > start) elements.push(text.slice(start, last));
      if (c === closeBracket) return { elements, end: i + 1 };
      start = skipSpace(text, i + 1);
    }
  }
  return undefined;
}

/**
 * The market changes of an `mcm` line exactly as they were sent: the elements of the top-level
 * `mc` array, cut from the text. JSON.parse keeps the last of duplicate keys, and so does this.
 * `undefined` when the text holds no such array (it is then not the line the message came from).
 */
export function marketChangeTexts(line: string): string[] | undefined {
  let found: string[] | undefined;
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === quote) {
      const end = closingQuote(line, i);
      if (end === -1) return undefined;
      // A key, not a value, is followed by a colon.
      if (depth === 1 && end === i + 3 && line.startsWith('"mc"', i)) {
        const colonAt = skipSpace(line, end + 1);
        const value = skipSpace(line, colonAt + 1);
        if (line.charCodeAt(colonAt) === colon && line.charCodeAt(value) === openBracket) {
          const array = arrayElements(line, value);
          if (array === undefined) return undefined;
          found = array.elements;
          i = array.end - 1;
          continue;
        }
      }
      i = end;
    } else if (c === openBracket || c === openBrace) {
      depth++;
    } else if (c === closeBracket || c === closeBrace) {
      depth--;
    }
  }
  return found;
}

interface Frame {
  line: string;
  /** How many market changes the parsed message holds: a cut that finds another number is not used. */
  count: number;
  /** Cut on first use: most lines need it, but not every one (heartbeats, unchanged books). */
  texts?: string[] | null;
}

/**
 * Where each market change of the stream came from, so that a record's audit payload is the
 * provider's bytes rather than a re-serialisation (which also took a third of the decoding time,
 * bench/README.md). Weakly held: a change no longer referenced takes its line with it.
 */
export class ReceivedChangeTexts {
  private readonly sources = new WeakMap<MarketChange, { frame: Frame; index: number }>();

  remember(message: MarketChangeMessage, line: string): void {
    const changes = message.mc;
    if (!changes || changes.length === 0) return;
    const frame: Frame = { line, count: changes.length };
    for (let index = 0; index < changes.length; index++) this.sources.set(changes[index]!, { frame, index });
  }

  /**
   * The change as received; one that was not (restored from saved state) or whose line cannot
   * be cut to match what was parsed is serialised instead.
   */
  textOf(change: MarketChange): string {
    const source = this.sources.get(change);
    if (source !== undefined) {
      const frame = source.frame;
      if (frame.texts === undefined) {
        const texts = marketChangeTexts(frame.line);
        frame.texts = texts?.length === frame.count ? texts : null;
      }
      const text = frame.texts?.[source.index];
      if (text !== undefined) return text;
    }
    return JSON.stringify(change);
  }
}
