// Betfair's CLASSIC price ladder: valid prices and their increments, in hundredths so that the
// arithmetic is exact (https://docs.developer.betfair.com/display/1smk3cen4v3lu3yomq5qye0ni/Betfair+Price+Increments).
const bands: readonly (readonly [from: number, to: number, step: number])[] = [
  [101, 200, 1],
  [200, 300, 2],
  [300, 400, 5],
  [400, 600, 10],
  [600, 1000, 20],
  [1000, 2000, 50],
  [2000, 3000, 100],
  [3000, 5000, 200],
  [5000, 10000, 500],
  [10000, 100000, 1000],
];

export const MIN_PRICE = 1.01;
export const MAX_PRICE = 1000;

function bandOf(hundredths: number): readonly [number, number, number] {
  for (const band of bands) if (hundredths < band[1]) return band;
  return bands[bands.length - 1]!;
}

const rounding = { down: Math.floor, up: Math.ceil, nearest: Math.round } as const;

/** The valid price below, above or nearest to `price`, within 1.01–1000. */
export function toTick(price: number, direction: keyof typeof rounding): number {
  const h = Math.min(Math.max(Math.round(price * 1e6) / 1e4, 101), 100000);
  const [from, to, step] = bandOf(h);
  return Math.min(from + rounding[direction]((h - from) / step) * step, to) / 100;
}

/** `n` ticks above (n > 0) or below (n < 0) a valid price, clamped to the ladder. */
export function ticksAway(price: number, n: number): number {
  let h = Math.round(price * 100);
  for (let i = 0; i < Math.abs(n); i++) {
    if (n > 0) {
      if (h >= 100000) break;
      h += bandOf(h)[2];
    } else {
      if (h <= 101) break;
      // Stepping down from a band's first price uses the step of the band below.
      h -= bandOf(h - 1)[2];
    }
  }
  return h / 100;
}
