import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  marginMethods,
  removeMargin,
  removeMarginByEveryMethod,
} from '../../../../processors/enrich/margin-methods.js';
import type { FairProbabilities } from '../../../../processors/enrich/margin-methods.js';

// Reference values computed independently of the TypeScript by reference/margin_reference.py
// (python3 standard library: exact fractions, 60-digit decimals, bisection; Shin in its textbook
// form). To regenerate, run the command in the script's docstring.
const referenceSchema = z.object({
  books: z.array(
    z.object({
      name: z.string(),
      odds: z.array(z.number()),
      places: z.number(),
      overround: z.number(),
      bookPercentage: z.number(),
      methods: z.record(
        z.enum(marginMethods),
        z.object({
          probabilities: z.array(z.number()),
          parameter: z.number().nullable(),
          anyNegative: z.boolean(),
        }),
      ),
    }),
  ),
});
const reference = referenceSchema.parse(
  JSON.parse(readFileSync(new URL('reference/margin-reference.json', import.meta.url), 'utf8')),
);

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);
const implied = (odds: readonly number[]): number[] => odds.map((d) => 1 / d);

function expectClose(actual: readonly number[], expected: readonly number[], tolerance: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) =>
    expect(Math.abs(value - (expected[i] ?? Number.NaN))).toBeLessThanOrEqual(tolerance),
  );
}

/** A book as a bookmaker could quote it: 2–40 prices in [1.01, 1000], places 1–3 below the count. */
const bookArbitrary = fc
  .array(fc.double({ min: 1.01, max: 1000, noNaN: true }), { minLength: 2, maxLength: 40 })
  .chain((odds) =>
    fc.record({ odds: fc.constant(odds), places: fc.integer({ min: 1, max: Math.min(3, odds.length - 1) }) }),
  );

const overround = (odds: readonly number[], places: number): number => sum(implied(odds)) / places - 1;

describe('removeMargin against independently computed reference values', () => {
  for (const book of reference.books) {
    for (const method of marginMethods) {
      const expected = book.methods[method];
      it(`${book.name} (${book.places} place${book.places > 1 ? 's' : ''}) by ${method}`, () => {
        const result = removeMargin(implied(book.odds), method, { places: book.places });
        if (expected.anyNegative) {
          // The method's own answer has a negative probability: the project falls back.
          expect(result).toMatchObject({
            status: 'NOT_CONVERGED',
            failure: 'INVALID_PROBABILITY',
            fallback: 'multiplicative',
          });
          expectClose(result.probabilities, book.methods.multiplicative.probabilities, 1e-12);
          return;
        }
        expect(result).toMatchObject({ method, status: 'OK', fallback: null, failure: null });
        expectClose(result.probabilities, expected.probabilities, 1e-12);
        if (expected.parameter === null) expect(result.parameter).toBeNull();
        else
          expect(Math.abs((result.parameter ?? Number.NaN) - expected.parameter)).toBeLessThanOrEqual(
            1e-11 * expected.parameter,
          );
      });
    }
  }

  it('includes the fixture overrounds of the NBA sample (DraftKings and FanDuel h2h)', () => {
    const byName = new Map(reference.books.map((book) => [book.name, book.overround]));
    expect(byName.get('nba-draftkings-h2h')).toBeCloseTo(0.047009, 6);
    expect(byName.get('nba-fanduel-h2h')).toBeCloseTo(0.04186, 6);
  });
});

describe('removeMargin properties', () => {
  it('gives probabilities in (0, 1] summing to the places paid, for every method', () => {
    fc.assert(
      fc.property(bookArbitrary, ({ odds, places }) => {
        for (const result of Object.values(removeMarginByEveryMethod(implied(odds), { places }))) {
          expect(Math.abs(sum(result.probabilities) - places)).toBeLessThanOrEqual(1e-9);
          for (const p of result.probabilities) {
            expect(p).toBeGreaterThan(0);
            expect(p).toBeLessThanOrEqual(1);
          }
        }
      }),
    );
  });

  it('solves power k ≥ 1, Shin z in [0, 1) and odds-ratio c ≥ 1 on over-round books', () => {
    // Up to a 200% book; beyond, power can leave doubles' range (see the degenerate books below).
    fc.assert(
      fc.property(
        bookArbitrary.filter(
          ({ odds, places }) => overround(odds, places) > 1e-9 && overround(odds, places) <= 1,
        ),
        ({ odds, places }) => {
          const all = removeMarginByEveryMethod(implied(odds), { places });
          for (const method of ['power', 'shin', 'odds-ratio'] as const)
            expect(all[method].status).toBe('OK');
          expect(all.power.parameter).toBeGreaterThanOrEqual(1);
          expect(all.shin.parameter).toBeGreaterThanOrEqual(0);
          expect(all.shin.parameter).toBeLessThan(1);
          expect(all['odds-ratio'].parameter).toBeGreaterThanOrEqual(1);
        },
      ),
    );
  });

  it('gives Shin equal to additive for two outcomes', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1.01, max: 1000, noNaN: true }),
        fc.double({ min: 1.01, max: 1000, noNaN: true }),
        (a, b) => {
          fc.pre(1 / a + 1 / b > 1 + 1e-9);
          const shin = removeMargin(implied([a, b]), 'shin');
          const additive = removeMargin(implied([a, b]), 'additive');
          expect(shin.status).toBe('OK');
          expect(additive.status).toBe('OK');
          expectClose(shin.probabilities, additive.probabilities, 1e-10);
        },
      ),
    );
  });

  it('keeps the ratios of the implied probabilities under multiplicative', () => {
    fc.assert(
      fc.property(bookArbitrary, ({ odds, places }) => {
        const result = removeMargin(implied(odds), 'multiplicative', { places });
        fc.pre(result.status === 'OK');
        const [p0 = Number.NaN] = result.probabilities;
        result.probabilities.forEach((p, i) => {
          const expected = (odds[0] ?? Number.NaN) / (odds[i] ?? Number.NaN);
          expect(Math.abs(p / p0 - expected)).toBeLessThanOrEqual(1e-12 * expected);
        });
      }),
    );
  });

  it('solves Shin where it is steep: a 13-runner book with 610/1 and 892/1 long shots', () => {
    // A counterexample of the property above (seed -1770446256): bracketed to 1e-12, z left
    // |Σp − 1| above 1e-12 and Shin fell back to multiplicative.
    const odds = [
      610.6077276642432, 29.978543503252375, 12.860389179042793, 22.43129751260299, 70.55932618697962,
      70.70313142623668, 13.211236708415786, 892.08329732223, 3.7696107462546538, 2.29904221715998,
      94.51764223806411, 158.84767697063967, 26.817528706210496,
    ];
    const shin = removeMargin(implied(odds), 'shin');
    expect(shin.status).toBe('OK');
    expect(sum(shin.probabilities)).toBeCloseTo(1, 12);
  });

  it('stays finite on subnormal probabilities, which halving by the places rounds to 0', () => {
    const tiny = Number.MIN_VALUE;
    const books: [number[], number][] = [
      [[tiny, tiny, tiny], 2], // q = π/P underflows to 0: Σq = 0
      [[tiny, 1e-320, 1, 1], 3], // the two capped at 1 leave 1 to share over subnormals
      [[tiny, 1, tiny, 1], 3], // ...whose shares underflowed to 0: split evenly
    ];
    for (const [probabilities, places] of books) {
      for (const result of Object.values(removeMarginByEveryMethod(probabilities, { places }))) {
        for (const p of result.probabilities) expect(Number.isFinite(p), JSON.stringify(result)).toBe(true);
        expect(sum(result.probabilities)).toBeCloseTo(places, 9);
      }
    }
  });

  it('never returns NaN or Infinity, whatever the probabilities and places', () => {
    const anyProbability = fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true });
    fc.assert(
      fc.property(
        fc.array(anyProbability, { maxLength: 12 }),
        fc.integer({ min: 1, max: 6 }),
        (probabilities, places) => {
          for (const result of Object.values(removeMarginByEveryMethod(probabilities, { places }))) {
            expect(result.probabilities).toHaveLength(probabilities.length);
            for (const p of result.probabilities) expect(Number.isFinite(p)).toBe(true);
            if (result.parameter !== null) expect(Number.isFinite(result.parameter)).toBe(true);
          }
        },
      ),
    );
  });
});

describe('degenerate books', () => {
  const expectFallback = (result: FairProbabilities, status: string, fallback: string | null): void => {
    expect(result.status).toBe(status);
    expect(result.fallback).toBe(fallback);
    expect(result.parameter).toBeNull();
  };

  it('prices an under-round book (an exchange lay book) multiplicatively, whatever the method', () => {
    const lay = implied([1.36, 15, 11.5]); // Serie A betfair h2h_lay, Σ = 0.889
    for (const method of marginMethods) {
      const result = removeMargin(lay, method);
      expectFallback(result, 'UNDER_ROUND', method === 'multiplicative' ? null : 'multiplicative');
      expectClose(
        result.probabilities,
        lay.map((p) => p / sum(lay)),
        1e-15,
      );
    }
  });

  it('caps an under-round place book at 1 and shares the excess among the others', () => {
    const result = removeMargin([0.99, 0.7, 0.7, 0.5], 'shin', { places: 3 });
    expect(result.status).toBe('UNDER_ROUND');
    expect(result.probabilities[0]).toBe(1);
    expect(sum(result.probabilities)).toBeCloseTo(3, 12);
    expectClose(
      result.probabilities.slice(1),
      [0.7, 0.7, 0.5].map((p) => (2 * p) / 1.9),
      1e-15,
    );
  });

  it('returns the implied probability of a lone selection, claiming no edge', () => {
    for (const method of marginMethods) {
      expectFallback(removeMargin([0.8], method), 'SINGLE_SELECTION', 'implied');
      expect(removeMargin([0.8], method).probabilities).toEqual([0.8]);
    }
    expect(removeMargin([], 'power')).toMatchObject({ status: 'SINGLE_SELECTION', probabilities: [] });
  });

  it('treats a place market with no more selections than places as SINGLE_SELECTION', () => {
    expect(removeMargin([0.9, 0.8, 0.85], 'odds-ratio', { places: 3 })).toMatchObject({
      status: 'SINGLE_SELECTION',
      probabilities: [0.9, 0.8, 0.85],
    });
  });

  it('returns every method at its neutral parameter on a zero-margin book', () => {
    const fair = [0.5, 0.25, 0.25];
    const all = removeMarginByEveryMethod(fair);
    expect(Object.fromEntries(marginMethods.map((m) => [m, all[m].parameter]))).toEqual({
      multiplicative: null,
      additive: null,
      power: 1,
      shin: 0,
      'odds-ratio': 1,
    });
    for (const result of Object.values(all)) expect(result.probabilities).toEqual(fair);
  });

  it('falls back when a price of exactly 1.0 leaves power and odds-ratio without a root', () => {
    const all = removeMarginByEveryMethod(implied([1, 5]));
    for (const method of ['power', 'odds-ratio'] as const) {
      expect(all[method]).toMatchObject({
        status: 'NOT_CONVERGED',
        failure: 'NO_SIGN_CHANGE',
        fallback: 'multiplicative',
      });
      expectClose(all[method].probabilities, [1 / 1.2, 0.2 / 1.2], 1e-15);
    }
    expect(all.shin.status).toBe('OK');
  });

  it('falls back when power would take a long shot below the smallest double', () => {
    // Five prices of 1.01 (a 495% book): k ≈ 162 and 100^-162 is below the smallest double.
    const result = removeMargin(implied([1.01, 1.01, 1.01, 1.01, 1.01, 100]), 'power');
    expect(result).toMatchObject({
      status: 'NOT_CONVERGED',
      failure: 'INVALID_PROBABILITY',
      fallback: 'multiplicative',
    });
    for (const p of result.probabilities) expect(1 / p).toBeLessThan(Number.POSITIVE_INFINITY);
  });

  it('falls back when additive takes a long shot below zero', () => {
    const result = removeMargin(implied([1.2, 2.5, 500]), 'additive');
    expect(result).toMatchObject({
      status: 'NOT_CONVERGED',
      failure: 'INVALID_PROBABILITY',
      fallback: 'multiplicative',
    });
    for (const p of result.probabilities) expect(p).toBeGreaterThan(0);
  });

  it('rejects input no book can have', () => {
    for (const bad of [
      [Number.NaN, 0.5],
      [0, 0.5],
      [1.5, 0.5],
      [-0.1, 0.5],
    ]) {
      expect(() => removeMargin(bad, 'shin')).toThrow(RangeError);
    }
    expect(() => removeMargin([0.5, 0.6], 'shin', { places: 0 })).toThrow(RangeError);
    expect(() => removeMargin([0.5, 0.6], 'shin', { places: 1.5 })).toThrow(RangeError);
  });
});
