import { describe, expect, it } from 'vitest';
import { StartupBacklog } from '../../../bench/startup-backlog.js';

/** Feeds one reading a second after the first; returns whether it had settled after each. */
function settledAfterEach(first: number, lags: number[]): boolean[] {
  const backlog = new StartupBacklog(first, 0);
  return lags.map((lag, i) => {
    backlog.observe(lag, (i + 1) * 1_000);
    return backlog.settled;
  });
}

describe('StartupBacklog', () => {
  it('settles once the lag is down from its peak and has made no new low for 3 s', () => {
    expect(settledAfterEach(2_000, [4_000, 3_000, 1_500, 900, 880, 910, 870, 890])).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      true,
    ]);
  });

  it('does not settle while the lag still grows (a load the pipeline does not keep up with)', () => {
    expect(settledAfterEach(1_000, [2_000, 3_000, 4_000, 4_500, 5_000, 6_000])).toEqual(Array(6).fill(false));
  });

  it('does not settle on a flat lag at its peak: it has not come down yet', () => {
    expect(settledAfterEach(3_000, [3_000, 3_000, 3_000, 3_000])).toEqual([false, false, false, false]);
  });

  it('keeps waiting while the lag falls by a tenth within 3 s, however slowly each second', () => {
    const backlog = new StartupBacklog(10_000, 0);
    let lag = 10_000;
    for (let s = 1; s <= 20; s++) {
      lag *= 0.96;
      backlog.observe(lag, s * 1_000);
      expect(backlog.settled).toBe(false);
    }
  });
});
