import { findRoot } from './root-finding.js';
import type { RootFailure } from './root-finding.js';

export const marginMethods = ['multiplicative', 'additive', 'power', 'shin', 'odds-ratio'] as const;
export type MarginMethod = (typeof marginMethods)[number];

export const pricingStatuses = ['OK', 'UNDER_ROUND', 'SINGLE_SELECTION', 'NOT_CONVERGED'] as const;
export type PricingStatus = (typeof pricingStatuses)[number];

/** Why a method has no valid answer for a book (status NOT_CONVERGED). */
export type MethodFailure = RootFailure | 'SUM_CHECK_FAILED' | 'INVALID_PROBABILITY';

export interface FairProbabilities {
  method: MarginMethod;
  status: PricingStatus;
  /** In input order. They sum to the places paid, each in (0, 1], except under SINGLE_SELECTION. */
  probabilities: number[];
  /** power k (p = π^k), shin z, odds-ratio c as solved; null for multiplicative, additive and fallbacks. */
  parameter: number | null;
  /** What produced `probabilities` when the method itself did not; docs/odds-math.md has the table. */
  fallback: 'multiplicative' | 'implied' | null;
  failure: MethodFailure | null;
}

export interface MarginOptions {
  /** Places paid (a place market's book sums to about this many); 1 for a win market. */
  places?: number;
}

/** A normalised book within this of 1 has no margin to remove: every method returns π/S. */
export const zeroMarginTolerance = 1e-12;
/** The solved probabilities must sum to 1 within this before the final normalisation. */
export const sumTolerance = 1e-9;

type Solved =
  { ok: true; probabilities: number[]; parameter: number | null } | { ok: false; failure: MethodFailure };

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

/** The parameter at which each method leaves a zero-margin book unchanged. */
const neutralParameter: Record<MarginMethod, number | null> = {
  multiplicative: null,
  additive: null,
  power: 1,
  shin: 0,
  'odds-ratio': 1,
};

function solvePower(q: readonly number[]): Solved {
  // Σ q^k falls from S > 1 at k = 1; at K = ln n / −ln max(q) it is at most n·max(q)^K = 1, so 2K
  // brackets the root with room for rounding. max(q) = 1 leaves no root: that selection keeps 1.
  const logLargest = Math.log(Math.max(...q));
  if (logLargest >= 0) return { ok: false, failure: 'NO_SIGN_CHANGE' };
  const upper = Math.max(2, (2 * Math.log(q.length)) / -logLargest);
  const logs = q.map(Math.log);
  const result = findRoot((k) => sum(logs.map((l) => Math.exp(k * l))) - 1, 1, upper);
  if (!result.ok) return { ok: false, failure: result.reason };
  return { ok: true, probabilities: logs.map((l) => Math.exp(result.root * l)), parameter: result.root };
}

/**
 * Shin (1993), as in the R package implied (`shin_func`) and penaltyblog, written as
 * 2q²/(S(z + √(z² + 4(1−z)q²/S))): the same value without the cancellation of √(…) − z near
 * z = 1 nor the division by 1 − z, so the bracket can include z = 1 (where p = q²/S).
 */
function shinProbabilities(z: number, q: readonly number[], total: number): number[] {
  return q.map((x) => (2 * x * x) / (total * (z + Math.sqrt(z * z + (4 * (1 - z) * x * x) / total))));
}

function solveShin(q: readonly number[], total: number): Solved {
  // Σp is √S > 1 at z = 0 and Σq²/S < 1 at z = 1.
  const result = findRoot((z) => sum(shinProbabilities(z, q, total)) - 1, 0, 1);
  if (!result.ok) return { ok: false, failure: result.reason };
  return { ok: true, probabilities: shinProbabilities(result.root, q, total), parameter: result.root };
}

/** Cheung (2015) via Buchdahl's "Wisdom of the Crowd": the fair odds ratio to the book's is c. */
const oddsRatioProbabilities = (c: number, q: readonly number[]): number[] =>
  q.map((x) => x / (c * (1 - x) + x));

function solveOddsRatio(q: readonly number[]): Solved {
  // Each term is below q/(c(1−q)), so at c = 2Σq/(1−q) (> 2 since S > 1) the sum is below ½.
  const upper = 2 * sum(q.map((x) => x / (1 - x)));
  if (!Number.isFinite(upper)) return { ok: false, failure: 'NO_SIGN_CHANGE' };
  const result = findRoot((c) => sum(oddsRatioProbabilities(c, q)) - 1, 1, upper);
  if (!result.ok) return { ok: false, failure: result.reason };
  return { ok: true, probabilities: oddsRatioProbabilities(result.root, q), parameter: result.root };
}

const multiplicativeShares = (q: readonly number[], total: number): number[] => q.map((x) => x / total);

/** Each solver gets a normalised book q (Σq = total > 1) and returns probabilities summing to 1. */
const solvers: Record<MarginMethod, (q: readonly number[], total: number) => Solved> = {
  multiplicative: (q, total) => ({
    ok: true,
    probabilities: multiplicativeShares(q, total),
    parameter: null,
  }),
  additive: (q, total) => {
    const cut = (total - 1) / q.length;
    return { ok: true, probabilities: q.map((x) => x - cut), parameter: null };
  },
  power: solvePower,
  shin: solveShin,
  'odds-ratio': solveOddsRatio,
};

function checkSolution(probabilities: readonly number[], places: number): MethodFailure | null {
  const valid = probabilities.every(
    (p) => p > 0 && p * places <= 1 + sumTolerance && Number.isFinite(1 / (p * places)),
  );
  if (!valid) return 'INVALID_PROBABILITY';
  return Math.abs(sum(probabilities) - 1) <= sumTolerance ? null : 'SUM_CHECK_FAILED';
}

/**
 * Scales shares of 1 back to probabilities summing to `places`, each at most 1. Only an
 * under-round place book can push one above 1 (πP/S > 1 needs S < P): it is held at 1 and the
 * excess shared among the others in proportion, repeatedly, which ends since there are more
 * selections than places.
 */
function scaleToPlaces(shares: readonly number[], places: number): number[] {
  const result = shares.map((share) => share * places);
  const capped = result.map(() => false);
  while (result.some((p) => p > 1)) {
    result.forEach((p, i) => {
      if (p > 1) {
        result[i] = 1;
        capped[i] = true;
      }
    });
    const free = result.filter((_, i) => !capped[i]);
    const left = places - (result.length - free.length);
    const freeTotal = sum(free);
    // Share first, then scale: left / freeTotal overflows when the free ones are subnormal; and
    // shares that underflowed to 0 (selections ~1e-308 as likely as the rest) split it evenly.
    result.forEach((p, i) => {
      if (!capped[i]) result[i] = freeTotal > 0 ? (p / freeTotal) * left : left / free.length;
    });
  }
  return result;
}

function checkInput(implied: readonly number[], places: number): void {
  if (!Number.isSafeInteger(places) || places < 1) {
    throw new RangeError(`places must be a positive integer, got ${places}`);
  }
  const bad = implied.find((p) => !(p > 0 && p <= 1));
  if (bad !== undefined) throw new RangeError(`implied probabilities must be in (0, 1], got ${bad}`);
}

/**
 * Fair probabilities of one book by `method`. Degenerate books get the project's documented
 * answer in the status (docs/odds-math.md): never NaN, never Infinity. Throws RangeError only
 * for input no book can have (π outside (0, 1], places not a positive integer).
 */
export function removeMargin(
  implied: readonly number[],
  method: MarginMethod,
  options: MarginOptions = {},
): FairProbabilities {
  const places = options.places ?? 1;
  checkInput(implied, places);
  const answer = (
    status: PricingStatus,
    probabilities: number[],
    rest: Partial<Pick<FairProbabilities, 'parameter' | 'fallback' | 'failure'>> = {},
  ): FairProbabilities => ({
    method,
    status,
    probabilities,
    parameter: rest.parameter ?? null,
    fallback: rest.fallback ?? null,
    failure: rest.failure ?? null,
  });

  if (implied.length <= places) return answer('SINGLE_SELECTION', [...implied], { fallback: 'implied' });

  // Place markets: every method works on the shares q = π/P of a book normalised to 1, whose
  // fair shares are then scaled back by P (docs/odds-math.md, "Place markets").
  const q = implied.map((p) => p / places);
  const total = sum(q);
  // π/Σπ is q/Σq, but a subnormal π halved by P can round to 0 (and Σq with it): 0/0.
  const multiplicative = (): number[] => scaleToPlaces(multiplicativeShares(implied, sum(implied)), places);
  const fallback = method === 'multiplicative' ? null : 'multiplicative';

  if (total < 1 - zeroMarginTolerance) return answer('UNDER_ROUND', multiplicative(), { fallback });
  if (total <= 1 + zeroMarginTolerance) {
    return answer('OK', multiplicative(), { parameter: neutralParameter[method] });
  }
  const solved = solvers[method](q, total);
  const failure = solved.ok ? checkSolution(solved.probabilities, places) : solved.failure;
  if (!solved.ok || failure !== null) return answer('NOT_CONVERGED', multiplicative(), { fallback, failure });
  // Like implied's `normalize = TRUE`: removes the last ~1e-13 of the solver's tolerance.
  const solvedTotal = sum(solved.probabilities);
  const shares = solved.probabilities.map((p) => p / solvedTotal);
  return answer('OK', scaleToPlaces(shares, places), { parameter: solved.parameter });
}

/** Every method's answer for one book, e.g. for `SelectionPricing.fairProbabilities`. */
export function removeMarginByEveryMethod(
  implied: readonly number[],
  options: MarginOptions = {},
): Record<MarginMethod, FairProbabilities> {
  return {
    multiplicative: removeMargin(implied, 'multiplicative', options),
    additive: removeMargin(implied, 'additive', options),
    power: removeMargin(implied, 'power', options),
    shin: removeMargin(implied, 'shin', options),
    'odds-ratio': removeMargin(implied, 'odds-ratio', options),
  };
}
