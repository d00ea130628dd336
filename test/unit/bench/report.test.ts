import { describe, expect, it } from 'vitest';
import { buildReport, formatNumber, formatTable, verdict } from '../../../bench/report.js';

const results = [
  { name: 'passthrough', value: 40_000, unit: 'records/s' },
  { name: 'pipeline', value: 2_000, unit: 'records/s' },
  { name: 'same_shape', value: 5_000, unit: 'records/s' },
  { name: 'same_shape_cpu_us_per_record', value: 300, unit: 'µs' },
  { name: 'floor_avro_us_per_record', value: 100, unit: 'µs' },
  { name: 'floor_postgres_us_per_record', value: 200, unit: 'µs' },
  { name: 'floor_cores', value: 2, unit: 'cores' },
  { name: 'sink_timescale', value: 56_000, unit: 'rows/s' },
  { name: 'copy_baseline', value: 80_000, unit: 'rows/s' },
  { name: 'sink_embedded', value: 9_000, unit: 'rows/s' },
  { name: 'sink_embedded_copy', value: 12_000, unit: 'rows/s' },
  { name: 'latency_200_p99', value: 42.5, unit: 'ms' },
  { name: 'client_ab.kafkajs.hop_msgs_per_s', value: 6_000, unit: 'messages/s' },
  { name: 'client_ab.platformatic.hop_msgs_per_s', value: 9_000, unit: 'messages/s' },
];

describe('buildReport', () => {
  it('keeps the results and computes the ratios, rounded to three decimals', () => {
    const report = buildReport(results);
    expect(report.results).toEqual(results);
    expect(report.ratios).toEqual({
      pipeline_vs_same_shape: 0.4,
      pipeline_vs_same_shape_ceiling: 0.667,
      pipeline_vs_passthrough: 0.05,
      sink_vs_copy: 0.7,
      sink_vs_copy_embedded: 0.75,
      client_platformatic_vs_kafkajs: 1.5,
    });
  });

  it('leaves a ratio null when one of its numbers was not measured', () => {
    const report = buildReport(results.filter((r) => r.name !== 'copy_baseline'));
    expect(report.ratios.sink_vs_copy).toBeNull();
    expect(
      buildReport(results.filter((r) => r.name !== 'floor_postgres_us_per_record')).ratios
        .pipeline_vs_same_shape_ceiling,
    ).toBeNull();
    expect(
      buildReport(results.filter((r) => !r.name.startsWith('client_ab.'))).ratios
        .client_platformatic_vs_kafkajs,
    ).toBeNull();
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe('verdict', () => {
  it('checks minimums and maximums, and says nothing without a target or a number', () => {
    expect(verdict('betfair_decode', 120_000)).toEqual({ target: '≥ 100,000', verdict: 'met' });
    expect(verdict('betfair_decode', 90_000).verdict).toBe('MISSED');
    expect(verdict('latency_200_p99', 50).verdict).toBe('met');
    expect(verdict('latency_200_p99', 50.1).verdict).toBe('MISSED');
    expect(verdict('pipeline', 1)).toEqual({ target: '', verdict: '' });
    expect(verdict('sink_vs_copy', null)).toEqual({ target: '≥ 0.700', verdict: '' });
  });
});

describe('formatNumber', () => {
  it('separates thousands and shows decimals only on small numbers', () => {
    expect(formatNumber(1_234_567.8)).toBe('1,234,568');
    expect(formatNumber(42.46)).toBe('42.5');
    expect(formatNumber(3.14159)).toBe('3.14');
    expect(formatNumber(0.0504)).toBe('0.050');
    expect(formatNumber(NaN)).toBe('NaN');
  });
});

describe('formatTable', () => {
  it('aligns every result and ratio in columns, with targets and verdicts', () => {
    const lines = formatTable(buildReport(results)).split('\n');
    expect(lines[0]).toMatch(/^name\s+value\s+unit\s+target$/);
    expect(lines[1]).toMatch(/^-+ +-+ +-+ +-+ +-+$/);
    expect(lines).toHaveLength(2 + results.length + 6);
    expect(lines.find((l) => l.startsWith('latency_200_p99'))).toMatch(/42\.5\s+ms\s+≤ 50\.0\s+met$/);
    expect(lines.find((l) => l.startsWith('pipeline_vs_same_shape'))).toMatch(
      /0\.400\s+ratio\s+≥ 0\.500\s+MISSED$/,
    );
    expect(lines.find((l) => l.startsWith('pipeline_vs_passthrough'))).toMatch(/0\.050\s+ratio$/);
    // Values are right-aligned: every value column ends at the same place.
    const ends = lines
      .slice(2)
      .map((l) => l.search(/\d\s+(records\/s|rows\/s|messages\/s|ms|µs|cores|ratio)/));
    expect(new Set(ends).size).toBe(1);
  });
});
