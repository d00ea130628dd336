import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildPayload, describeInput } from './apply.js';
import { createFuzzChain, outputTypes, type OutputType, type Problem, type ProblemKind } from './harness.js';
import { fuzzInput } from './mutations.js';
import { fuzzFormats, lineBased, loadSamples, type FuzzFormat } from './samples.js';

export interface FuzzOptions {
  runs: number;
  seed: number;
}

export interface FormatReport {
  format: FuzzFormat;
  inputs: number;
  outputs: Record<OutputType, number>;
  deadLetters: Map<string, number>;
  deadLetterStages: Set<string>;
  problems: Record<ProblemKind, number>;
  /** The first problems found, with the input that caused them (rebuildable from the seed). */
  examples: { input: string; problem: Problem }[];
  /** Largest heap seen after an input (before collection). */
  peakHeapBytes: number;
  /** Heap after a full collection, once half the inputs and once all of them have run. */
  heapAtHalfBytes: number;
  heapAtEndBytes: number;
}

/**
 * `global.gc` without `--expose-gc` on the command line: V8 lets the flag be set at run time, and
 * a new context then has `gc`. Collecting before a measurement keeps garbage out of it.
 */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function heapAfterCollection(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Generates `runs` malformed payloads of a format (fast-check, seeded) and feeds each through the
 * readers and the offline chain, as `oddsflow transform` does, with one chain for the whole run.
 */
export async function fuzzFormat(format: FuzzFormat, options: FuzzOptions): Promise<FormatReport> {
  const samples = loadSamples(format);
  // One seed per format, so the formats do not all get the same picks.
  const inputs = fc.sample(fuzzInput(samples.length, lineBased[format]), {
    seed: options.seed + fuzzFormats.indexOf(format),
    numRuns: options.runs,
  });
  const gc = collector();
  const chain = await createFuzzChain();
  const report: FormatReport = {
    format,
    inputs: 0,
    outputs: { market_book: 0, pricing: 0, result: 0, dead_letter: 0 },
    deadLetters: new Map(),
    deadLetterStages: new Set(),
    problems: { exception: 0, 'invalid-output': 0, vanished: 0 },
    examples: [],
    peakHeapBytes: 0,
    heapAtHalfBytes: 0,
    heapAtEndBytes: 0,
  };
  const half = Math.floor(inputs.length / 2);
  try {
    for (const [i, input] of inputs.entries()) {
      if (i === half) report.heapAtHalfBytes = heapAfterCollection(gc);
      const payload = buildPayload(samples[input.sample]!, input, lineBased[format]);
      const outcome = await chain.feed(format, payload);
      report.inputs++;
      for (const type of outputTypes) report.outputs[type] += outcome.outputs[type];
      for (const [reason, n] of outcome.deadLetters)
        report.deadLetters.set(reason, (report.deadLetters.get(reason) ?? 0) + n);
      for (const stage of outcome.deadLetterStages) report.deadLetterStages.add(stage);
      for (const problem of outcome.problems) {
        report.problems[problem.kind]++;
        if (report.examples.length < 20)
          report.examples.push({ input: `#${i} ${describeInput(input)}`, problem });
      }
      report.peakHeapBytes = Math.max(report.peakHeapBytes, process.memoryUsage().heapUsed);
    }
    report.heapAtEndBytes = heapAfterCollection(gc);
  } finally {
    chain.close();
  }
  return report;
}
