import { describe, expect, it } from 'vitest';
import {
  mergeQuota,
  parseQuotaHeaders,
  stretchInterval,
  unknownQuota,
} from '../../../../connectors/the-odds-api/quota.js';

const policy = { comfortableShare: 0.5, maxIntervalMs: 600_000 };

describe('parseQuotaHeaders', () => {
  it('reads the three headers', () => {
    const headers = new Headers({
      'x-requests-remaining': '480',
      'x-requests-used': '20',
      'x-requests-last': '2',
    });
    expect(parseQuotaHeaders((n) => headers.get(n))).toEqual({ remaining: 480, used: 20, last: 2 });
  });

  it('gives null for absent or unusable values, and merging keeps what was known', () => {
    const headers = new Headers({ 'x-requests-remaining': 'lots', 'x-requests-used': '7' });
    const quota = parseQuotaHeaders((n) => headers.get(n));
    expect(quota).toEqual({ remaining: null, used: 7, last: null });
    expect(mergeQuota({ remaining: 10, used: 5, last: 1 }, quota)).toEqual({
      remaining: 10,
      used: 7,
      last: 1,
    });
  });
});

describe('stretchInterval', () => {
  it('keeps the interval while the quota is unknown or at least half is left', () => {
    expect(stretchInterval(60_000, unknownQuota, policy)).toBe(60_000);
    expect(stretchInterval(60_000, { remaining: 500, used: 500, last: 2 }, policy)).toBe(60_000);
  });

  it('stretches in inverse proportion to the share left', () => {
    expect(stretchInterval(60_000, { remaining: 250, used: 750, last: 2 }, policy)).toBe(120_000);
    expect(stretchInterval(60_000, { remaining: 50, used: 950, last: 2 }, policy)).toBe(600_000);
    expect(stretchInterval(10_000, { remaining: 100, used: 900, last: 2 }, policy)).toBe(50_000);
  });

  it('never shortens the interval and grows as the quota runs down', () => {
    let previous = 0;
    for (let remaining = 1000; remaining >= 2; remaining -= 50) {
      const interval = stretchInterval(30_000, { remaining, used: 1000 - remaining, last: 2 }, policy);
      expect(interval).toBeGreaterThanOrEqual(Math.max(previous, 30_000));
      expect(interval).toBeLessThanOrEqual(600_000);
      previous = interval;
    }
  });

  it('idles at the ceiling when the next call cannot be paid for', () => {
    expect(stretchInterval(60_000, { remaining: 0, used: 1000, last: 2 }, policy)).toBe(600_000);
    expect(stretchInterval(60_000, { remaining: 3, used: 1, last: 6 }, policy)).toBe(600_000);
    // A configured interval above the ceiling is kept, not shortened.
    expect(stretchInterval(900_000, { remaining: 0, used: 10, last: 1 }, policy)).toBe(900_000);
  });
});
