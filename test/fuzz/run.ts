import { parseArgs } from 'node:util';
import { fuzzFormat, type FormatReport } from './run-fuzz.js';
import { fuzzFormats, type FuzzFormat } from './samples.js';

// npx tsx test/fuzz/run.ts [--runs 10000] [--seed 20260314] [--format odds|scores|betfair|ws-json]
// Exit code 1 when any input raised an exception, produced an invalid record or vanished.

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '20260314' },
    format: { type: 'string', multiple: true },
  },
});

const runs = Number(values.runs);
const seed = Number(values.seed);
if (!Number.isSafeInteger(runs) || runs < 1 || !Number.isSafeInteger(seed)) {
  console.error('usage: npx tsx test/fuzz/run.ts [--runs N] [--seed S] [--format F ...]');
  process.exit(2);
}
const formats = (values.format ?? [...fuzzFormats]) as FuzzFormat[];
const unknown = formats.filter((f) => !(fuzzFormats as readonly string[]).includes(f));
if (unknown.length > 0) {
  console.error(`unknown format ${unknown.join(', ')}; one of ${fuzzFormats.join(', ')}`);
  process.exit(2);
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const reports: FormatReport[] = [];
for (const format of formats) {
  const started = Date.now();
  const report = await fuzzFormat(format, { runs, seed });
  reports.push(report);
  console.error(`${format}: ${report.inputs} inputs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

console.log(`\nseed ${seed}, ${runs} inputs per format\n`);
console.log(
  table([
    [
      'format',
      'inputs',
      'market_book',
      'pricing',
      'result',
      'dead_letter',
      'exceptions',
      'invalid',
      'vanished',
      'peak heap',
      'heap ½ → end',
    ],
    ...reports.map((r) => [
      r.format,
      String(r.inputs),
      String(r.outputs.market_book),
      String(r.outputs.pricing),
      String(r.outputs.result),
      String(r.outputs.dead_letter),
      String(r.problems.exception),
      String(r.problems['invalid-output']),
      String(r.problems.vanished),
      mb(r.peakHeapBytes),
      `${mb(r.heapAtHalfBytes)} → ${mb(r.heapAtEndBytes)}`,
    ]),
  ]),
);

console.log('\ndead letters by reason code\n');
const reasons = [...new Set(reports.flatMap((r) => [...r.deadLetters.keys()]))].sort();
console.log(
  table([
    ['reason', ...reports.map((r) => r.format)],
    ...reasons.map((reason) => [reason, ...reports.map((r) => String(r.deadLetters.get(reason) ?? 0))]),
  ]),
);

const problems = reports.flatMap((r) => r.examples.map((e) => ({ format: r.format, ...e })));
if (problems.length > 0) {
  console.log('\nproblems (first 20 per format)\n');
  for (const p of problems)
    console.log(`${p.format} ${p.problem.kind}: ${p.problem.detail}\n  input ${p.input}`);
  process.exitCode = 1;
}
