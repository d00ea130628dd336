import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appendPoint,
  oddsVolatility,
  probabilityVelocity,
  trimPoints,
  type SeriesPoint,
} from '../../../../processors/features/windows.js';

const minute = 60_000;
const series = (...points: [number, number, number][]): SeriesPoint[] =>
  points.map(([t, p, odds]) => ({ t, p, odds }));

describe('probabilityVelocity', () => {
  it('reads the value in force at the window start', () => {
    const points = series([0, 0.5, 2], [30_000, 0.4, 2], [70_000, 0.45, 2], [90_000, 0.6, 2]);
    // Window start 30 s: the point at exactly 30 s is in force (p 0.4).
    expect(probabilityVelocity(points, minute)).toBeCloseTo(0.2, 12);
    // Window start before the first point: the first observation stands in (p 0.5).
    expect(probabilityVelocity(points, 5 * minute)).toBeCloseTo(0.1 / 5, 12);
  });

  it('is 0 for a single point or an empty series', () => {
    expect(probabilityVelocity(series([5, 0.3, 2]), minute)).toBe(0);
    expect(probabilityVelocity([], minute)).toBe(0);
  });
});

describe('oddsVolatility', () => {
  it('is the sample std-dev of consecutive log changes inside the window', () => {
    const points = series([0, 0.5, 2.0], [60_000, 0.5, 2.2], [120_000, 0.5, 2.0], [180_000, 0.5, 2.5]);
    const r = [Math.log(2.2 / 2.0), Math.log(2.0 / 2.2), Math.log(2.5 / 2.0)];
    const mean = (r[0]! + r[1]! + r[2]!) / 3;
    const expected = Math.sqrt(r.reduce((s, x) => s + (x - mean) ** 2, 0) / 2);
    expect(oddsVolatility(points, 5 * minute)).toBeCloseTo(expected, 12);
    // A one-minute window at 180 s starts at the 120 s point: a single change, so 0.
    expect(oddsVolatility(points, minute)).toBe(0);
  });

  it('is 0 for flat odds', () => {
    expect(oddsVolatility(series([0, 0.5, 3], [1_000, 0.5, 3], [2_000, 0.5, 3]), minute)).toBe(0);
  });
});

describe('appendPoint and trimPoints', () => {
  it('keep the latest point per bucket and one point before the window', () => {
    const points: SeriesPoint[] = [];
    for (const t of [0, 400, 999, 1_000, 5_000, 300_000, 306_000]) {
      appendPoint(points, { t, p: 0.5, odds: 2 + t / 1e6 }, 1_000);
      trimPoints(points, t, 5 * minute);
    }
    expect(points.map((p) => p.t)).toEqual([5_000, 300_000, 306_000]);
  });

  it('stay bounded by window / resolution however many updates arrive', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 3_000 }),
        (gaps) => {
          const points: SeriesPoint[] = [];
          let t = 0;
          for (const gap of gaps) {
            t += gap;
            appendPoint(points, { t, p: 0.5, odds: 2 }, 1_000);
            trimPoints(points, t, 5 * minute);
            expect(points.length).toBeLessThanOrEqual(5 * 60 + 2);
            expect(points.every((p, i) => i === 0 || p.t > (points[i - 1]?.t ?? -Infinity))).toBe(true);
          }
        },
      ),
    );
  });
});
