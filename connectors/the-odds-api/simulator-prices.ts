export function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Decimal prices of one book with a margin: each selection's implied probability is
 * p + margin × (1 − p) / (n − 1), so the book sums to 1 + margin before rounding and no implied
 * probability reaches 1 (a plain p × (1 + margin) would, for a heavy favourite). Rounded to 2
 * decimals against the bettor, as prices are printed: a back price down, a lay price (negative
 * margin, an exchange's lay book) up — rounding the other way would hand out the margin of a
 * short price (1.15) and make arbitrages nobody meant. Clamped to 1.01–1000, the provider's range.
 */
export function bookPrices(probabilities: readonly number[], margin: number): number[] {
  const n = probabilities.length;
  const round = margin >= 0 ? Math.floor : Math.ceil;
  return probabilities.map((p) => {
    const implied = n > 1 ? p + (margin * (1 - p)) / (n - 1) : p;
    // The epsilon keeps 2.1 (2.0999999…) from flooring to 2.09.
    const decimal = round((1 / implied) * 100 + (margin >= 0 ? 1e-9 : -1e-9)) / 100;
    return Math.min(1000, Math.max(1.01, decimal));
  });
}

/** Decimal → American as The Odds API sends it: a number, +x without the sign (240), −x with it (−303). */
export function toAmerican(decimal: number): number {
  if (decimal >= 2) return Math.round((decimal - 1) * 100);
  return -Math.round(100 / (decimal - 1));
}

/** The half-point line nearest below x (−3.2 → −3.5, 4.9 → 4.5): half points avoid pushes. */
export function halfPointLine(x: number): number {
  return Math.floor(x) + 0.5;
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
