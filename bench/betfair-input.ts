import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SimEngine } from '../connectors/betfair/simulator-engine.js';
import { BetfairStreamProcessor } from '../connectors/betfair/stream-processor.js';
import { packageRoot } from '../src/core/config/paths.js';
import type { RawMarketBook, RawResult } from '../src/core/generated/avro-types.js';

export const fixturesDir = path.join(packageRoot, 'test/fixtures/betfair');

/** Every recorded stream in test/fixtures/betfair (gzipped or not), as lines without blanks. */
export function recordedStreams(): { file: string; lines: string[] }[] {
  return readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.gz') || f.endsWith('.stream'))
    .sort()
    .map((file) => {
      const bytes = readFileSync(path.join(fixturesDir, file));
      const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
      return { file, lines: text.split(/\r?\n/).filter((l) => l.trim().length > 0) };
    });
}

export interface SimulatedStreamOptions {
  seed?: number;
  markets?: number;
  /** Market changes after the subscription image. */
  changes: number;
  /** Publish time of the first change; one millisecond per change after it. */
  startMs: number;
}

/**
 * What the Betfair simulator sends one subscriber, without a socket: the subscription image,
 * then one `mcm` line per change, with racing markets that suspend, turn in play, settle and are
 * replaced (150 ticks each, as in the demo).
 */
export function simulatedStream(options: SimulatedStreamOptions): string[] {
  const engine = new SimEngine({
    seed: options.seed ?? 11,
    markets: options.markets ?? 50,
    runnersPerMarket: 8,
    eventTypeIds: ['7', '4339'],
    ladderLevels: 3,
    marketLifetimeTicks: 150,
    historySize: 1,
    publishTime: (seq) => options.startMs + seq,
  });
  const lines = [
    JSON.stringify({
      op: 'mcm',
      id: 1,
      ct: 'SUB_IMAGE',
      initialClk: engine.initialClk,
      clk: engine.clk(),
      pt: options.startMs,
      mc: engine.image(),
    }),
  ];
  while (lines.length <= options.changes) {
    const change = engine.tick();
    if (change === undefined) continue;
    lines.push(
      JSON.stringify({ op: 'mcm', id: 1, clk: engine.clk(change.seq), pt: change.pt, mc: change.mc }),
    );
  }
  return lines;
}

/** The connector's records for the lines (receivedAt = publish time + 5 ms). */
export function recordsOf(lines: readonly string[]): { books: RawMarketBook[]; results: RawResult[] } {
  const processor = new BetfairStreamProcessor({ closedMarketEvictionMs: 3_600_000 });
  const books: RawMarketBook[] = [];
  const results: RawResult[] = [];
  for (const line of lines) {
    const pt = Number(/"pt":(\d+)/.exec(line)?.[1] ?? 0);
    const outcome = processor.handleLine(line, pt + 5);
    if (outcome.kind !== 'change') continue;
    books.push(...outcome.books);
    results.push(...outcome.results);
  }
  return { books, results };
}
