import { describe, expect, it } from 'vitest';
import { OddsflowError, StoreError } from '../../../src/core/errors.js';
import { createLogger } from '../../../src/core/logger.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { HoldInterrupted, holdOnFault, Holds } from '../../../src/core/resilience/hold.js';

function setup() {
  const metrics = createMetrics();
  const holds = new Holds(metrics, { now: () => 1_000 });
  const abort = new AbortController();
  const options = {
    component: 'redis',
    holds,
    metrics,
    log: createLogger({ level: 'silent' }),
    backoff: { initialMs: 1, maxMs: 2 },
    what: 'writing',
    signal: abort.signal,
  };
  const held = async () =>
    (await metrics.infrastructureHold.get()).values.map(
      (v) => `${v.labels.component}:${v.labels.code}=${v.value}`,
    );
  return { metrics, holds, abort, options, held };
}

describe('holdOnFault', () => {
  it('holds through retriable failures, reporting them, and leaves the hold once the work succeeds', async () => {
    const { options, holds, held, metrics } = setup();
    let calls = 0;
    let heartbeats = 0;
    const seen: string[][] = [];
    const result = await holdOnFault(
      async () => {
        calls++;
        seen.push(await held());
        if (calls < 4) throw new StoreError('REDIS_REFUSED', 'NOPERM');
        return 'written';
      },
      { ...options, heartbeat: () => Promise.resolve(void heartbeats++) },
    );
    expect(result).toBe('written');
    expect(calls).toBe(4);
    expect(heartbeats).toBe(3);
    expect(seen[3]).toEqual(['redis:REDIS_REFUSED=1']);
    expect(holds.current()).toEqual([]);
    expect(await held()).toEqual([]);
    const faults = (await metrics.infrastructureFaults.get()).values;
    expect(faults).toEqual([
      expect.objectContaining({ labels: { component: 'redis', code: 'REDIS_REFUSED' }, value: 3 }),
    ]);
  });

  it("throws a non-retriable error at once: it is the record's fault, the caller dead-letters it", async () => {
    const { options, holds } = setup();
    let calls = 0;
    const refused = new OddsflowError('SERDE_DECODE_FAILED', 'bad bytes');
    await expect(
      holdOnFault(() => {
        calls++;
        return Promise.reject(refused);
      }, options),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
    expect(holds.current()).toEqual([]);
  });

  it('stops holding when the loop stops, without waiting out the backoff', async () => {
    const { options, abort, holds } = setup();
    const long = { ...options, backoff: { initialMs: 60_000, maxMs: 60_000 }, random: () => 1 };
    const pending = holdOnFault(() => Promise.reject(new StoreError('DATABASE_UNAVAILABLE', 'down')), long);
    await new Promise((r) => setTimeout(r, 20));
    expect(holds.current()).toEqual([{ component: 'redis', code: 'DATABASE_UNAVAILABLE', since: 1_000 }]);
    const began = Date.now();
    abort.abort();
    await expect(pending).rejects.toBeInstanceOf(HoldInterrupted);
    expect(Date.now() - began).toBeLessThan(1_000);
    expect(holds.current()).toEqual([]);
  });
});
