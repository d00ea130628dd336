import { describe, expect, it } from 'vitest';
import { NotReady, Readiness, type ReadinessCheck } from '../../../src/core/health/readiness.js';
import { OddsflowError } from '../../../src/core/errors.js';
import { createLogger } from '../../../src/core/logger.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { captureLogs } from '../../helpers/logs.js';

function readiness(
  checks: Record<string, ReadinessCheck>,
  options: { timeoutMs?: number; cacheMs?: number } = {},
) {
  const logs = captureLogs();
  const metrics = createMetrics();
  let now = 0;
  const r = new Readiness(checks, {
    timeoutMs: options.timeoutMs ?? 1_000,
    cacheMs: options.cacheMs ?? 5_000,
    metrics,
    logger: createLogger({ level: 'info', destination: logs.stream }),
    clock: { now: () => now },
  });
  return { r, metrics, logs, advance: (ms: number) => (now += ms) };
}

describe('Readiness', () => {
  it('shows reason codes only: a dependency message goes to the log, not to /readyz', async () => {
    const { r, logs } = readiness({
      kafka: () => Promise.resolve(),
      redis: () => Promise.reject(new NotReady('REDIS_UNREACHABLE', 'connect ECONNREFUSED 10.1.2.3:6379')),
      registry: () => Promise.reject(new OddsflowError('SCHEMA_REGISTRY_REFUSED', 'registry answered 401')),
      other: () => Promise.reject(new Error('password authentication failed for user "oddsflow"')),
    });
    const status = await r.status();
    expect(status).toEqual({
      ready: false,
      checks: {
        kafka: 'ok',
        redis: 'REDIS_UNREACHABLE',
        registry: 'SCHEMA_REGISTRY_REFUSED',
        other: 'CHECK_FAILED',
      },
    });
    expect(JSON.stringify(status)).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|password|401/);
    expect(logs.lines().map((l) => l.msg)).toContain(
      'readiness: redis failing: connect ECONNREFUSED 10.1.2.3:6379',
    );
  });

  it('runs the checks at most once per cache period, and once for concurrent requests', async () => {
    let runs = 0;
    let release!: () => void;
    const { r, advance } = readiness({
      slow: () => {
        runs++;
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    const concurrent = Array.from({ length: 50 }, () => r.status());
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBe(1);
    release();
    for (const s of await Promise.all(concurrent)) expect(s.ready).toBe(true);
    await r.status();
    advance(4_999);
    await r.status();
    expect(runs).toBe(1);
    advance(1);
    const next = r.status();
    release();
    await next;
    expect(runs).toBe(2);
  });

  it('bounds every check: one that never settles fails with CHECK_TIMEOUT', async () => {
    const { r, metrics } = readiness({ hung: () => new Promise<void>(() => undefined) }, { timeoutMs: 50 });
    const began = Date.now();
    expect(await r.status()).toEqual({ ready: false, checks: { hung: 'CHECK_TIMEOUT' } });
    expect(Date.now() - began).toBeLessThan(1_000);
    expect((await metrics.readiness.get()).values).toEqual([
      expect.objectContaining({ labels: { check: 'hung' }, value: 0 }),
    ]);
  });
});
