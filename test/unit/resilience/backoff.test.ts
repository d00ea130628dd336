import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, retry } from '../../../src/core/resilience/backoff.js';
import { ProviderError } from '../../../src/core/errors.js';

describe('backoffDelay', () => {
  it('stays within [0, min(max, initial * 2^attempt)]', () => {
    fc.assert(
      fc.property(
        fc.nat(40),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 120_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, initialMs, maxMs, r) => {
          const delay = backoffDelay(attempt, { initialMs, maxMs }, () => r);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.min(maxMs, initialMs * 2 ** attempt));
        },
      ),
    );
  });

  it('spreads retries over the whole window (full jitter)', () => {
    const delays = [0, 0.25, 0.5, 0.999].map((r) =>
      backoffDelay(3, { initialMs: 100, maxMs: 10_000 }, () => r),
    );
    expect(delays).toEqual([0, 200, 400, 799]);
  });
});

describe('retry', () => {
  const fast = { initialMs: 1, maxMs: 2, attempts: 5, random: () => 0 };

  it('retries retriable errors until success', async () => {
    let calls = 0;
    const value = await retry(async () => {
      calls++;
      if (calls < 3) throw new ProviderError('PROVIDER_UNAVAILABLE', 'p', 'down');
      return 'ok';
    }, fast);
    expect(value).toBe('ok');
    expect(calls).toBe(3);
  });

  it('does not retry a non-retriable error', async () => {
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new ProviderError('PROVIDER_AUTH_FAILED', 'p', 'bad key');
      }, fast),
    ).rejects.toThrow('bad key');
    expect(calls).toBe(1);
  });

  it('gives up after the attempts and reports each retry', async () => {
    const seen: number[] = [];
    await expect(
      retry(() => Promise.reject(new ProviderError('PROVIDER_RATE_LIMITED', 'p', '429')), {
        ...fast,
        attempts: 3,
        onRetry: (_err, attempt) => seen.push(attempt),
      }),
    ).rejects.toThrow('429');
    expect(seen).toEqual([1, 2]);
  });

  it('waits at least as long as the server asks (Retry-After)', async () => {
    const waits: number[] = [];
    let calls = 0;
    await retry(
      async () => {
        if (calls++ === 0) throw new ProviderError('PROVIDER_RATE_LIMITED', 'p', '429');
      },
      { ...fast, delayHint: () => 30, onRetry: (_e, _a, delay) => waits.push(delay) },
    );
    expect(waits).toEqual([30]);
  });
});
