import { maxJsonDepth } from '../../connectors/json-depth.js';
import type { FuzzFormat } from './samples.js';

/**
 * What an input must produce, judged from its bytes alone (not by the readers' code), so that a
 * payload the readers drop without a word is caught. Positions are the readers' RecordChunk
 * positions: the 1-based element of an Odds API response, the 1-based line of a line-based file.
 *
 * Inputs the readers may leave silent, on purpose:
 * - the-odds-api: `[]` (no events); an event whose `bookmakers` is empty or holds only bookmakers
 *   with empty `markets` (the API lists events before any bookmaker prices them); in a scores
 *   response an event with `completed: false` (a game without a result yet).
 * - betfair: blank lines; well-formed messages that change no book (heartbeats, `status`,
 *   `connection`, other `op`s, segments still buffered, deltas that change nothing, markets
 *   without a definition).
 * - ws-json: blank lines; valid JSON the mapping's filter ignores (`type` is not "odds":
 *   heartbeats, acks, arrays, scalars).
 * Everything else must yield a record or a dead letter at its position. A payload (a response,
 * a line) nested deeper than `maxJsonDepth` must be one dead letter as a whole.
 */
export interface Expectation {
  /** Positions that must yield at least one record or parse failure. */
  mustYield: Set<number>;
  /** Positions that must yield a parse failure (a dead letter). */
  mustFail: Set<number>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Levels of arrays and objects inside one another, counted without recursion. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** The JSON value of a payload, or not ok when it is no JSON or nested too deep to be read. */
function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    const value = JSON.parse(text) as unknown;
    return depthOf(value) > maxJsonDepth ? { ok: false } : { ok: true, value };
  } catch {
    return { ok: false };
  }
}

/** An odds event that lists no market at all: nothing to read, nothing malformed either. */
function hasNoMarkets(event: unknown): boolean {
  return (
    isObject(event) &&
    Array.isArray(event.bookmakers) &&
    event.bookmakers.every((b) => isObject(b) && Array.isArray(b.markets) && b.markets.length === 0)
  );
}

function oddsApi(text: string): Expectation {
  const expectation: Expectation = { mustYield: new Set(), mustFail: new Set() };
  const parsed = tryParse(text);
  if (!parsed.ok || !Array.isArray(parsed.value)) {
    expectation.mustFail.add(1);
    return expectation;
  }
  const elements: unknown[] = parsed.value;
  // The reader's documented rule: a response is a scores response when an element has
  // `completed` and no `bookmakers`.
  const scores = elements.some((e) => isObject(e) && 'completed' in e && !('bookmakers' in e));
  elements.forEach((element, i) => {
    const silent = scores ? isObject(element) && element.completed === false : hasNoMarkets(element);
    if (!silent) expectation.mustYield.add(i + 1);
  });
  return expectation;
}

/** Lines as node:readline splits them (`\n`, `\r\n` and a lone `\r`); no line after a final break. */
export function readlineLines(text: string): string[] {
  const lines = text.split(/\r?\n|\r(?!\n)/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function betfairLineMustFail(line: string): boolean {
  const parsed = tryParse(line);
  if (!parsed.ok) return true;
  const message = parsed.value;
  if (typeof message !== 'object' || message === null) return true;
  const op = (message as { op?: unknown }).op;
  if (typeof op !== 'string') return true;
  if (op === 'mcm') {
    const { pt, mc } = message as { pt?: unknown; mc?: unknown };
    if (typeof pt !== 'number' || !Number.isFinite(pt)) return true;
    if (mc !== undefined && mc !== null && !Array.isArray(mc)) return true;
  }
  if (op === 'status') {
    const { statusCode } = message as { statusCode?: unknown };
    if (statusCode !== 'SUCCESS' && statusCode !== 'FAILURE') return true;
  }
  return false;
}

function betfair(text: string): Expectation {
  const expectation: Expectation = { mustYield: new Set(), mustFail: new Set() };
  readlineLines(text).forEach((raw, i) => {
    const line = raw.trim();
    if (line !== '' && betfairLineMustFail(line)) {
      expectation.mustFail.add(i + 1);
      expectation.mustYield.add(i + 1);
    }
  });
  return expectation;
}

function wsJson(text: string): Expectation {
  const expectation: Expectation = { mustYield: new Set(), mustFail: new Set() };
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const parsed = tryParse(line);
    if (!parsed.ok) {
      expectation.mustFail.add(i + 1);
      expectation.mustYield.add(i + 1);
    } else if (isObject(parsed.value) && parsed.value.type === 'odds') {
      expectation.mustYield.add(i + 1);
    }
  });
  return expectation;
}

/** `text` is the input decoded as UTF-8, as the readers decode it. */
export function expectationOf(format: FuzzFormat, text: string): Expectation {
  switch (format) {
    case 'odds':
    case 'scores':
      return oddsApi(text);
    case 'betfair':
      return betfair(text);
    case 'ws-json':
      return wsJson(text);
  }
}
