/**
 * Calls `tick(n)` every 10 ms with as many changes as `rate` per second asks for, carrying the
 * fractions over, at most one second's worth at once (a stalled event loop does not cause a
 * burst). The rate can change while it runs.
 */
export function startPacer(tick: (count: number) => void): {
  setRate(perSecond: number): void;
  stop(): void;
} {
  let rate = 0;
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
    setRate(perSecond) {
      rate = perSecond;
      budget = 0;
    },
    stop: () => clearInterval(timer),
  };
}
