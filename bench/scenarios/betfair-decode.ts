import { BetfairStreamProcessor } from '../../connectors/betfair/stream-processor.js';
import { recordedStreams, simulatedStream } from '../betfair-input.js';
import { progress } from '../progress.js';
import type { BenchResult } from '../report.js';
import { perSecond } from '../stats.js';

/** Lines through a fresh processor per stream (each stream's deltas need its own image). */
function replay(streams: readonly (readonly string[])[]): number {
  let messages = 0;
  for (const lines of streams) {
    const processor = new BetfairStreamProcessor({ closedMarketEvictionMs: 3_600_000 });
    for (const line of lines) {
      const outcome = processor.handleLine(line, 0);
      if (outcome.kind === 'failure')
        throw new Error(`decode: a fixture line failed: ${outcome.failure.reasonCode}`);
      messages++;
    }
  }
  return messages;
}

/** Messages per second over replays repeated for about `seconds`, after one replay to warm up. */
function rate(streams: readonly (readonly string[])[], seconds: number): { rate: number; messages: number } {
  replay(streams);
  let messages = 0;
  const began = performance.now();
  while (performance.now() - began < seconds * 1000) messages += replay(streams);
  return { rate: perSecond(messages, performance.now() - began), messages };
}

/**
 * Betfair stream messages per second through parse → market cache → book building (the
 * connector's BetfairStreamProcessor), in memory: no socket, no Kafka.
 */
export function benchBetfairDecode(options: { seconds: number }): BenchResult[] {
  const recorded = recordedStreams();
  const simulated = simulatedStream({ changes: 20_000, startMs: Date.UTC(2026, 0, 1) });
  const recordedLines = recorded.reduce((n, s) => n + s.lines.length, 0);
  progress(
    'betfair_decode',
    `recorded: ${recorded.length} files, ${recordedLines} lines, replayed for ${options.seconds} s`,
  );
  const fromFiles = rate(
    recorded.map((s) => s.lines),
    options.seconds,
  );
  progress(
    'betfair_decode',
    `recorded: ${Math.round(fromFiles.rate)} messages/s; simulated: ${simulated.length} lines`,
  );
  const fromSimulator = rate([simulated], options.seconds);
  progress('betfair_decode', `simulated: ${Math.round(fromSimulator.rate)} messages/s`);
  // Equal numbers of messages from each set: the harmonic mean of the two rates.
  const combined = 2 / (1 / fromFiles.rate + 1 / fromSimulator.rate);
  return [
    { name: 'betfair_decode', value: Math.round(combined), unit: 'messages/s' },
    { name: 'betfair_decode_recorded', value: Math.round(fromFiles.rate), unit: 'messages/s' },
    { name: 'betfair_decode_simulated', value: Math.round(fromSimulator.rate), unit: 'messages/s' },
  ];
}
