import { describe, expect, it } from 'vitest';
import { fuzzFormat } from '../../fuzz/run-fuzz.js';
import { fuzzFormats, type FuzzFormat } from '../../fuzz/samples.js';

// Malformed payloads of every provider format through `transform`'s path (file reader → offline
// chain); test/fuzz/run.ts runs the same with 10,000 per format and prints the counts.
// TEST_FUZZ_RUNS sets the number per format; set it on the command line only, since
// `oddsflow` commands refuse unknown ODDSFLOW_* variables.
const runs = Number(process.env.TEST_FUZZ_RUNS ?? 1000);
const seed = 20260314;
const MB = 1024 * 1024;

/** Records each format must still produce: the mutations leave many payloads readable. */
const produced: Record<FuzzFormat, readonly ('market_book' | 'result')[]> = {
  odds: ['market_book'],
  scores: ['result'],
  betfair: ['market_book', 'result'],
  'ws-json': ['market_book'],
};

describe.each(fuzzFormats)('%s payloads, fuzzed', (format) => {
  it(
    `turns ${runs} malformed payloads into valid records or dead letters, with no exception and nothing lost`,
    async () => {
      const report = await fuzzFormat(format, { runs, seed });
      const examples = report.examples
        .map((e) => `${e.problem.kind}: ${e.problem.detail}\n  input ${e.input}`)
        .join('\n');

      expect(report.inputs).toBe(runs);
      // Every input: no exception escaped, every output is a valid Avro record of its type with
      // finite numbers or a dead letter with a reason and errors, and whatever could be read
      // yielded a record or a dead letter (harness.ts, oracle.ts).
      expect(report.problems, examples).toEqual({ exception: 0, 'invalid-output': 0, vanished: 0 });
      // Enrich prices every book prepare lets through, one pricing per market book.
      expect(report.outputs.pricing).toBe(report.outputs.market_book);
      // The fuzz reaches the whole chain, not only the parsers: readable records come out, and
      // dead letters come from parsing and from validation.
      if (runs >= 200) {
        for (const type of produced[format]) expect(report.outputs[type]).toBeGreaterThan(0);
        expect(report.deadLetterStages).toContain('parse');
        expect([...report.deadLetterStages].filter((stage) => stage !== 'parse')).not.toEqual([]);
        expect(report.deadLetters.size).toBeGreaterThanOrEqual(4);
      }
      // Memory: what the chain keeps grows with the distinct books it has seen (up to its caps),
      // never with the size of the payloads. Inputs of several megabytes are a few percent of
      // the run, so keeping even a few of them shows; the chain's own growth is far below 1 MB.
      const secondHalf = report.inputs - Math.floor(report.inputs / 2);
      const retained = report.heapAtEndBytes - report.heapAtHalfBytes;
      expect(retained).toBeLessThan(8 * MB + secondHalf * 512);
    },
    Math.max(1, runs / 1000) * 180_000,
  );
});
