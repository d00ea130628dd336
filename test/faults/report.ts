/** Each fault scenario says what it checked, on stderr, whatever the reporter shows. */
export function report(scenario: string, checked: string): void {
  process.stderr.write(`[faults] ${scenario}: ${checked}\n`);
}

/** Kill iterations: 5 in CI (`npm test`), 20 with `npm run test:faults`. */
export const faultIterations = Number(process.env.TEST_FAULT_ITERATIONS ?? 5);

/** A seeded generator, so a failing run can be repeated with TEST_FAULT_SEED. */
export function seededRandom(seed = Number(process.env.TEST_FAULT_SEED ?? Date.now() % 1_000_000)): {
  seed: number;
  next: () => number;
} {
  let state = seed >>> 0 || 1;
  return {
    seed,
    next: () => {
      // xorshift32
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 0x1_0000_0000;
    },
  };
}
