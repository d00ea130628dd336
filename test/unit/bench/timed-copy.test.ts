import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { timedCopy, type CopyProgress } from '../../../bench/timed-copy.js';

/** A copy loop without Kafka: reports `batches` of the given sizes, `pauseMs` apart, after a wait to join. */
function fakeCopy(sizes: readonly number[], pauseMs: number, joinMs: number, log: string[]) {
  return async (report: CopyProgress) => {
    log.push('started');
    void (async () => {
      await sleep(joinMs);
      for (const size of sizes) {
        report.fetched();
        await sleep(pauseMs);
        report.copied(size);
      }
    })();
    return () => {
      log.push('stopped');
      return Promise.resolve();
    };
  };
}

describe('timedCopy', () => {
  it('counts messages and batches until the count is reached, timed from the first fetch, then stops', async () => {
    const log: string[] = [];
    const timing = await timedCopy('test', 30, fakeCopy([10, 10, 10, 10], 20, 500, log));
    expect(timing.copied).toBe(30);
    expect(timing.batches).toBe(3);
    // Three batches of 20 ms each; the 500 ms join does not count.
    expect(timing.ms).toBeGreaterThanOrEqual(55);
    expect(timing.ms).toBeLessThan(500);
    expect(log).toEqual(['started', 'stopped']);
  });

  it('fails as soon as the loop does, and still stops it', async () => {
    const log: string[] = [];
    const copy = async (report: CopyProgress) => {
      setTimeout(() => report.failed(new Error('transaction fenced')), 10);
      return () => {
        log.push('stopped');
        return Promise.resolve();
      };
    };
    await expect(timedCopy('test', 10, copy)).rejects.toThrow('transaction fenced');
    expect(log).toEqual(['stopped']);
  });
});
