import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findRoot } from '../../../../processors/enrich/root-finding.js';

describe('findRoot', () => {
  it('solves x² = 2 to full double precision', () => {
    const result = findRoot((x) => x * x - 2, 0, 2);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Math.abs(result.root - Math.SQRT2)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(result.residual)).toBeLessThanOrEqual(1e-12);
  });

  it('finds a root placed anywhere in a bracket of any width', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e4, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e4, noNaN: true }),
        (root, below, above) => {
          // Monotone, with slope at least 1 everywhere: the root is the only zero.
          const result = findRoot((x) => (x - root) * (1 + (x - root) ** 2), root - below, root + above);
          expect(result.ok).toBe(true);
          if (result.ok)
            expect(Math.abs(result.root - root)).toBeLessThanOrEqual(1e-12 + 4e-16 * Math.abs(root));
        },
      ),
    );
  });

  it('returns an end of the bracket that is already a root', () => {
    expect(findRoot((x) => x - 1, 1, 5)).toEqual({ ok: true, root: 1, residual: 0, iterations: 0 });
    expect(findRoot((x) => x - 5, 1, 5)).toMatchObject({ ok: true, root: 5 });
  });

  it('reports a bracket without a sign change instead of searching outside it', () => {
    expect(findRoot((x) => x * x + 1, -1, 1)).toEqual({ ok: false, reason: 'NO_SIGN_CHANGE', iterations: 0 });
  });

  it('reports NaN and Infinity from the function as NON_FINITE', () => {
    expect(findRoot(() => Number.NaN, 0, 1)).toMatchObject({ ok: false, reason: 'NON_FINITE' });
    expect(findRoot((x) => x - 0.5, 0, Number.POSITIVE_INFINITY)).toMatchObject({
      ok: false,
      reason: 'NON_FINITE',
    });
    expect(findRoot((x) => (x < 0.3 ? -1 : Number.NaN), 0, 1)).toMatchObject({
      ok: false,
      reason: 'NON_FINITE',
    });
  });

  it('reports a sign change that is a jump, not a root, as NOT_CONVERGED', () => {
    // The bracket shrinks onto x = 0.3, where f jumps from -1 to 1 without crossing 0.
    expect(findRoot((x) => (x < 0.3 ? -1 : 1), 0, 1)).toMatchObject({ ok: false, reason: 'NOT_CONVERGED' });
  });

  it('stops after maxIterations', () => {
    const result = findRoot((x) => Math.cbrt(x - 0.3), 0, 1, { maxIterations: 3 });
    expect(result).toEqual({ ok: false, reason: 'NOT_CONVERGED', iterations: 3 });
  });
});
