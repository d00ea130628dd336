import { clientAbResultName } from './client-ab/client.js';
import { ratio } from './stats.js';

/** One measured number, as `bench/results.json` lists it. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

export interface BenchRatios {
  pipeline_vs_same_shape: number | null;
  /**
   * The most `pipeline_vs_same_shape` could be if the pipeline's own logic cost nothing: every
   * core of the machine busy at the floor's CPU per raw record (the same shape's, plus the Avro
   * and PostgreSQL work it does not do: scenarios/floor.ts), over the same shape's rate.
   */
  pipeline_vs_same_shape_ceiling: number | null;
  pipeline_vs_passthrough: number | null;
  sink_vs_copy: number | null;
  /** The same on the embedded TimescaleDB's hypertables (sink_embedded, not in --quick). */
  sink_vs_copy_embedded: number | null;
  /** Hop throughput of @platformatic/kafka over kafkajs's (client_ab); kafkajs stays below 1.5. */
  client_platformatic_vs_kafkajs: number | null;
}

export interface BenchReport {
  results: BenchResult[];
  ratios: BenchRatios;
}

/** A goal a number should meet: at least (`min`) or at most (`max`) a value. */
export interface Target {
  name: string;
  min?: number;
  max?: number;
}

/** The goals set for this machine (bench/README.md says where each comes from). */
export const targets: readonly Target[] = [
  { name: 'pipeline_vs_same_shape', min: 0.5 },
  { name: 'latency_200_p99', max: 50 },
  { name: 'latency_2000_p99', max: 250 },
  { name: 'cpu_us_per_record', max: 250 },
  { name: 'rss_connectors', max: 256 },
  { name: 'rss_processors', max: 256 },
  { name: 'rss_sinks', max: 256 },
  { name: 'sink_vs_copy', min: 0.7 },
  { name: 'sink_vs_copy_embedded', min: 0.7 },
  { name: 'betfair_decode', min: 100_000 },
  { name: 'backfill', min: 50_000 },
  { name: 'backtest', min: 200_000 },
];

export function buildReport(results: readonly BenchResult[]): BenchReport {
  const value = (name: string) => results.find((r) => r.name === name)?.value;
  return {
    results: [...results],
    ratios: {
      pipeline_vs_same_shape: round(ratio(value('pipeline'), value('same_shape')), 3),
      pipeline_vs_same_shape_ceiling: round(
        ratio(
          floorRate(
            value('floor_cores'),
            value('same_shape_cpu_us_per_record'),
            value('floor_avro_us_per_record'),
            value('floor_postgres_us_per_record'),
          ),
          value('same_shape'),
        ),
        3,
      ),
      pipeline_vs_passthrough: round(ratio(value('pipeline'), value('passthrough')), 3),
      sink_vs_copy: round(ratio(value('sink_timescale'), value('copy_baseline')), 3),
      sink_vs_copy_embedded: round(ratio(value('sink_embedded'), value('sink_embedded_copy')), 3),
      client_platformatic_vs_kafkajs: round(
        ratio(
          value(clientAbResultName('platformatic', 'hop_msgs_per_s')),
          value(clientAbResultName('kafkajs', 'hop_msgs_per_s')),
        ),
        3,
      ),
    },
  };
}

/** Raw records per second with `cores` busy at the floor's CPU per raw record. */
function floorRate(...[cores, ...micros]: (number | undefined)[]): number | undefined {
  if (cores === undefined || micros.some((m) => m === undefined)) return undefined;
  return (cores * 1e6) / micros.reduce((sum: number, m) => sum + m!, 0);
}

function round(x: number | null, digits: number): number | null {
  if (x === null) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Thousands separated, with decimals only where the number is small enough to need them. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : Math.abs(x) >= 1 ? 2 : 3;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export type Verdict = 'met' | 'MISSED' | '';

/** Whether `value` meets the target named `name` ('' when there is none, or nothing was measured). */
export function verdict(
  name: string,
  value: number | null | undefined,
): { target: string; verdict: Verdict } {
  const target = targets.find((t) => t.name === name);
  if (target === undefined) return { target: '', verdict: '' };
  const text =
    target.min !== undefined ? `≥ ${formatNumber(target.min)}` : `≤ ${formatNumber(target.max ?? NaN)}`;
  if (value === null || value === undefined || !Number.isFinite(value)) return { target: text, verdict: '' };
  const ok =
    (target.min === undefined || value >= target.min) && (target.max === undefined || value <= target.max);
  return { target: text, verdict: ok ? 'met' : 'MISSED' };
}

/** The report as an aligned text table: every result, then the ratios, each with its target. */
export function formatTable(report: BenchReport): string {
  const rows: string[][] = [['name', 'value', 'unit', 'target', '']];
  for (const r of report.results) {
    const { target, verdict: v } = verdict(r.name, r.value);
    rows.push([r.name, formatNumber(r.value), r.unit, target, v]);
  }
  for (const [name, value] of Object.entries(report.ratios) as [string, number | null][]) {
    const { target, verdict: v } = verdict(name, value);
    rows.push([name, value === null ? 'n/a' : formatNumber(value), 'ratio', target, v]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const numeric = new Set([1]);
  const line = (row: string[]) =>
    row
      .map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  return [line(header!), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
