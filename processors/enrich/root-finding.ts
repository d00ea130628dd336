export interface RootOptions {
  /** Absolute tolerance on x: the bracket is shrunk until it is this narrow (plus 2 ulp of the root). */
  xTolerance?: number;
  /** The root is accepted only if |f(root)| is at most this. */
  fTolerance?: number;
  maxIterations?: number;
}

export type RootFailure = 'NO_SIGN_CHANGE' | 'NON_FINITE' | 'NOT_CONVERGED';

export type RootResult =
  | { ok: true; root: number; residual: number; iterations: number }
  | { ok: false; reason: RootFailure; iterations: number };

// x is resolved to ~1e-15, not 1e-12: where f is steep (Shin on a 13-runner book with 600/1 and
// 900/1 long shots, slope ≫ 1), a root bracketed to 1e-12 still left |f| above 1e-12.
export const rootDefaults = { xTolerance: 1e-15, fTolerance: 1e-12, maxIterations: 500 } as const;

/**
 * Brent's method (R. P. Brent, "Algorithms for Minimization without Derivatives", 1973, ch. 4):
 * inverse quadratic interpolation or secant steps, falling back to bisection whenever a step
 * would leave the bracket or shrink it too slowly, so it never does worse than bisection.
 * Failures are values, not NaN or exceptions: the margin methods turn them into a status.
 */
export function findRoot(
  f: (x: number) => number,
  lo: number,
  hi: number,
  options: RootOptions = {},
): RootResult {
  const xTolerance = options.xTolerance ?? rootDefaults.xTolerance;
  const fTolerance = options.fTolerance ?? rootDefaults.fTolerance;
  const maxIterations = options.maxIterations ?? rootDefaults.maxIterations;

  let a = lo;
  let b = hi;
  let fa = f(a);
  let fb = f(b);
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(fa) || !Number.isFinite(fb)) {
    return { ok: false, reason: 'NON_FINITE', iterations: 0 };
  }
  if (fa === 0) return { ok: true, root: a, residual: 0, iterations: 0 };
  if (fb === 0) return { ok: true, root: b, residual: 0, iterations: 0 };
  if (Math.sign(fa) === Math.sign(fb)) return { ok: false, reason: 'NO_SIGN_CHANGE', iterations: 0 };

  // c is the other end of the bracket [b, c]; b is the best estimate so far.
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    if (Math.sign(fb) === Math.sign(fc)) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tolerance = 2 * Number.EPSILON * Math.abs(b) + 0.5 * xTolerance;
    const half = 0.5 * (c - b);
    if (Math.abs(half) <= tolerance || fb === 0) {
      return Math.abs(fb) <= fTolerance
        ? { ok: true, root: b, residual: fb, iterations: iteration }
        : { ok: false, reason: 'NOT_CONVERGED', iterations: iteration };
    }
    if (Math.abs(e) >= tolerance && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * half * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * half * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * half * q - Math.abs(tolerance * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = half;
        e = d;
      }
    } else {
      d = half;
      e = d;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tolerance ? d : Math.sign(half) * tolerance;
    fb = f(b);
    if (!Number.isFinite(fb)) return { ok: false, reason: 'NON_FINITE', iterations: iteration };
  }
  return { ok: false, reason: 'NOT_CONVERGED', iterations: maxIterations };
}
