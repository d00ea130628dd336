import type { RecordChunk, RecordingFormat } from '../contract.js';
import { recordingReceivedAt } from '../historical/recording-time.js';
import { nestedDeeperThan } from '../json-depth.js';
import { parseOddsBody, type OddsFormat } from './parse-odds.js';
import { parseScoresBody } from './parse-scores.js';
import { createResultsTracker } from './results-tracker.js';

export interface OddsApiFileOptions {
  receivedAt: number;
  /** The `oddsFormat` of the request; auto reads it from the prices. */
  oddsFormat?: OddsFormat | 'auto';
}

/** American prices are whole numbers at or beyond ±100; decimal ones never are. */
function detectOddsFormat(value: unknown): OddsFormat {
  const prices: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'price' && typeof x === 'number') prices.push(x);
        else walk(x);
      }
    }
  };
  walk(value);
  return prices.length > 0 && prices.every((p) => Number.isInteger(p) && Math.abs(p) >= 100)
    ? 'american'
    : 'decimal';
}

/** The `last_update` times of an odds response (ISO strings or unix seconds), in ms. */
function lastUpdates(value: unknown): number[] {
  const times: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'last_update' && typeof x === 'number') times.push(x * 1000);
        else if (k === 'last_update' && typeof x === 'string') times.push(Date.parse(x));
        else walk(x);
      }
    }
  };
  walk(value);
  return times;
}

/**
 * A historical odds snapshot (`/v4/historical/sports/{sport}/odds`): the events under `data`, taken
 * at `timestamp`, which is when the books were seen.
 */
export function historicalSnapshot(parsed: unknown): { data: unknown[]; timestamp: number } | undefined {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const { data, timestamp } = parsed as { data?: unknown; timestamp?: unknown };
  const ms = typeof timestamp === 'string' ? Date.parse(timestamp) : NaN;
  return Array.isArray(data) && !Number.isNaN(ms) ? { data, timestamp: ms } : undefined;
}

/**
 * An Odds API response file: an odds response (events with bookmakers), a scores response, or a
 * historical odds snapshot (`{timestamp, data: [events]}`, whose timestamp is the books' receipt time).
 */
export function* readOddsApiFile(text: string, options: OddsApiFileOptions): Generator<RecordChunk> {
  let elements: unknown[] | undefined;
  try {
    // Nested too deep to walk (json-depth.ts): left to the parser, like a body that is not JSON.
    const parsed: unknown = nestedDeeperThan(text) ? undefined : JSON.parse(text);
    const snapshot = historicalSnapshot(parsed);
    if (snapshot !== undefined) {
      elements = snapshot.data;
      options = { ...options, receivedAt: snapshot.timestamp };
    } else if (Array.isArray(parsed)) elements = parsed;
  } catch {
    // handled below: the whole body becomes one dead letter through the parser
  }
  if (!elements) {
    const { books, failures } = parseOddsBody(text, {
      oddsFormat: 'decimal',
      receivedAt: options.receivedAt,
    });
    yield { position: 1, books, results: [], failures };
    return;
  }
  const isScores = elements.some(
    (e) => e !== null && typeof e === 'object' && 'completed' in e && !('bookmakers' in e),
  );
  const oddsFormat =
    options.oddsFormat === undefined || options.oddsFormat === 'auto'
      ? detectOddsFormat(elements)
      : options.oddsFormat;
  const tracker = createResultsTracker();
  const receivedAt = recordingReceivedAt(lastUpdates(elements), options.receivedAt);
  for (let i = 0; i < elements.length; i++) {
    const body = JSON.stringify([elements[i]]);
    if (isScores) {
      const { results, failures } = parseScoresBody(body, receivedAt);
      yield { position: i + 1, books: [], results: tracker.newlyCompleted(results), failures };
    } else {
      const { books, failures } = parseOddsBody(body, { oddsFormat, receivedAt });
      yield { position: i + 1, books, results: [], failures };
    }
  }
}

async function collectText(lines: AsyncIterable<string>): Promise<string> {
  const parts: string[] = [];
  for await (const line of lines) parts.push(line);
  return parts.join('\n');
}

/** A response saved as `.json`: one document, so read whole; its positions are the array's elements. */
export const oddsApiRecordingFormat: RecordingFormat = {
  name: 'the-odds-api',
  suffix: '.json',
  recognises: () => true,
  async *read(lines, { from, fallbackTime, options }) {
    const text = await collectText(lines);
    for (const c of readOddsApiFile(text, {
      receivedAt: fallbackTime,
      oddsFormat: options.oddsFormat ?? 'auto',
    }))
      if (c.position >= from) yield c;
  },
};
