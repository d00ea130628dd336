/** A running pacer: its rate can change while it runs. */
export interface Pacer {
  setRate(perSecond: number): void;
  stop(): void;
}

/**
 * Calls `tick(n)` every 10 ms with as many changes as `rate` per second asks for, carrying the
 * fractions over so the average rate is exact at any setting, and at most one second's worth at
 * once (a stalled event loop does not cause a burst). What the simulators and the benchmarks
 * drive their feeds with.
 */
export function startPacer(tick: (count: number) => void, perSecond = 0): Pacer {
  let rate = perSecond;
  let budget = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    budget = Math.min(budget + ((now - last) * rate) / 1000, rate);
    last = now;
    const due = Math.floor(budget);
    budget -= due;
    if (due > 0) tick(due);
  }, 10);
  return {
    setRate(next) {
      rate = next;
      budget = 0;
    },
    stop: () => clearInterval(timer),
  };
}
