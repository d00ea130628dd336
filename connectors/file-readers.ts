import type { RawMarketBook, RawResult } from '../src/core/generated/avro-types.js';
import type { ParseFailure } from './contract.js';
import { nestedDeeperThan } from './json-depth.js';
import { parseOddsBody, type OddsFormat } from './the-odds-api/parse-odds.js';
import { parseScoresBody } from './the-odds-api/parse-scores.js';
import { createResultsTracker } from './the-odds-api/results-tracker.js';
import { parseFrame } from './ws-json/parse.js';
import type { FieldMapping } from './ws-json/field-mapping.js';

/**
 * Recorded provider payloads (a file) as raw records, in chunks that carry their position in the
 * file, so `transform` prints them and `replay` publishes them and can resume after a position.
 */
export interface RecordChunk {
  /** 1-based: a line of a line-based file, or an element of an Odds API response array. */
  position: number;
  books: RawMarketBook[];
  results: RawResult[];
  failures: ParseFailure[];
}

export interface ReaderOptions {
  receivedAt: number;
  /** The Odds API: the `oddsFormat` of the request; auto reads it from the prices. */
  oddsFormat?: OddsFormat | 'auto';
  /** ws-json: how frames map to books. */
  mapping?: FieldMapping;
  provider?: string;
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

/**
 * How far past its median a recording's provider times plausibly reach: real responses span up to
 * an hour (a golf outright's bookmakers: 54 min), so three hours is a clock's error, not the data.
 */
const recordingSpreadMs = 3 * 3_600_000;

/**
 * When a recorded payload was received, for the records read from it. A recording has no
 * receipt time of its own; reading it "now" is right for the past recordings of real data, but a
 * file dated ahead of today (made-up data, a recording replayed on a machine whose clock is
 * behind) would then have every quote "stamped in the future". So: now, or the newest provider
 * time of the file if that is later — ignoring times more than three hours past the file's median,
 * which are one clock's error, not the time of the recording (that quote stays future-stamped).
 */
export function recordingReceivedAt(providerTimes: readonly number[], now: number): number {
  const times = providerTimes.filter(Number.isFinite).sort((a, b) => a - b);
  if (times.length === 0) return now;
  const median = times[Math.floor((times.length - 1) / 2)]!;
  const plausible = times.filter((t) => t <= median + recordingSpreadMs);
  return Math.max(now, plausible[plausible.length - 1] ?? now);
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
export function* readOddsApiFile(text: string, options: ReaderOptions): Generator<RecordChunk> {
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

/** One frame per line, as a WebSocket feed sends them; blank lines are skipped. */
export function* readWsJsonFile(
  text: string,
  options: ReaderOptions & { mapping: FieldMapping },
): Generator<RecordChunk> {
  const lines = text.split(/\r?\n/);
  const parse = (line: string, receivedAt: number) =>
    parseFrame(line, options.mapping, { provider: options.provider ?? 'ws-json', receivedAt });
  // First pass: the frames' own times, to know when the recording was made (recordingReceivedAt).
  const stamped = lines.flatMap((line) => {
    const outcome = line.trim().length === 0 ? undefined : parse(line, Number.NaN);
    return outcome?.kind === 'books' ? outcome.books.map((b) => b.eventTime) : [];
  });
  const receivedAt = recordingReceivedAt(stamped, options.receivedAt);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim().length === 0) continue;
    const outcome = parse(line, receivedAt);
    if (outcome.kind === 'books') yield { position: i + 1, books: outcome.books, results: [], failures: [] };
    else if (outcome.kind === 'failure')
      yield { position: i + 1, books: [], results: [], failures: [outcome.failure] };
  }
}
