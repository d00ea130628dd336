import { describe, expect, it } from 'vitest';
import { perSecond, percentile, ratio, summarize } from '../../../bench/stats.js';

describe('percentile', () => {
  it('interpolates between the nearest ranks (type 7, as numpy and R)', () => {
    const sorted = [1, 2, 3, 4];
    expect(percentile(sorted, 50)).toBe(2.5);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile(sorted, 100)).toBe(4);
    // rank 0.99 × 3 = 2.97: 3 + 0.97 × (4 − 3)
    expect(percentile(sorted, 99)).toBeCloseTo(3.97, 10);
  });

  it('gives the one value of a single sample and NaN for none', () => {
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('refuses a percentile outside 0–100', () => {
    expect(() => percentile([1, 2], 101)).toThrow(RangeError);
    expect(() => percentile([1, 2], -1)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts a copy and reports count, extremes, mean and the percentiles', () => {
    const values = [5, 1, 4, 2, 3];
    const summary = summarize(values);
    expect(summary).toEqual({ count: 5, min: 1, mean: 3, p50: 3, p95: 4.8, p99: 4.96, max: 5 });
    expect(values).toEqual([5, 1, 4, 2, 3]);
  });

  it('reports NaN statistics for no values', () => {
    const summary = summarize([]);
    expect(summary.count).toBe(0);
    expect(summary.p99).toBeNaN();
    expect(summary.mean).toBeNaN();
  });
});

describe('perSecond and ratio', () => {
  it('turns a count over milliseconds into a rate', () => {
    expect(perSecond(500, 250)).toBe(2_000);
    expect(perSecond(10, 0)).toBeNaN();
  });

  it('divides only meaningful numbers', () => {
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(undefined, 4)).toBeNull();
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(NaN, 2)).toBeNull();
  });
});
