import { describe, expect, it } from 'vitest';
import { sumSamples } from '../../../bench/prometheus.js';

const text = `# HELP oddsflow_stage_records_total Records through each processing stage.
# TYPE oddsflow_stage_records_total counter
oddsflow_stage_records_total{stage="prepare",direction="in"} 120
oddsflow_stage_records_total{stage="prepare",direction="out"} 118
oddsflow_stage_records_total{stage="enrich",direction="in"} 118
oddsflow_stage_records_total_created{stage="prepare",direction="in"} 1700000000
oddsflow_batch_size_sum{component="redis"} 4.5e3
oddsflow_batch_size_sum{component="timescale"} 4500
oddsflow_odd{label="with \\"quotes\\", and commas"} 2
oddsflow_plain 7
`;

describe('sumSamples', () => {
  it('sums the samples of one metric whose labels include the given ones', () => {
    expect(sumSamples(text, 'oddsflow_stage_records_total', { stage: 'prepare', direction: 'in' })).toBe(120);
    expect(sumSamples(text, 'oddsflow_stage_records_total', { stage: 'prepare' })).toBe(238);
    expect(sumSamples(text, 'oddsflow_stage_records_total')).toBe(356);
  });

  it('does not mistake a longer metric name for the one asked', () => {
    expect(sumSamples(text, 'oddsflow_batch_size', {})).toBe(0);
    expect(sumSamples(text, 'oddsflow_batch_size_sum', { component: 'redis' })).toBe(4500);
  });

  it('reads escaped label values and metrics without labels; 0 when nothing matches', () => {
    expect(sumSamples(text, 'oddsflow_odd', { label: 'with "quotes", and commas' })).toBe(2);
    expect(sumSamples(text, 'oddsflow_plain')).toBe(7);
    expect(sumSamples(text, 'oddsflow_plain', { missing: 'x' })).toBe(0);
    expect(sumSamples('', 'anything')).toBe(0);
  });
});
