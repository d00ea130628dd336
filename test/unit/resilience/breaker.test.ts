import { describe, expect, it } from 'vitest';
import { createBreakerFactory } from '../../../src/core/resilience/breaker.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { createLogger } from '../../../src/core/logger.js';
import { ProviderError } from '../../../src/core/errors.js';
import { captureLogs } from '../../helpers/logs.js';

const settings = {
  timeoutMs: 1000,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 50,
  rollingCountTimeoutMs: 10_000,
  volumeThreshold: 2,
};

describe('breaker factory', () => {
  it('opens on retriable failures, logs and counts the transition, then half-opens and closes', async () => {
    const metrics = createMetrics();
    const logs = captureLogs();
    const factory = createBreakerFactory(
      createLogger({ level: 'info', destination: logs.stream }),
      metrics,
      settings,
    );
    let healthy = false;
    const breaker = factory.create('provider-x', async () => {
      if (!healthy) throw new ProviderError('PROVIDER_UNAVAILABLE', 'x', '503');
      return 'ok';
    });
    for (let i = 0; i < 3; i++) await breaker.fire().catch(() => undefined);
    expect(breaker.opened).toBe(true);
    expect((await metrics.breakerState.get()).values[0]?.value).toBe(2);
    expect(logs.lines().some((l) => l.msg.includes('breaker provider-x open') && l.level === 'warn')).toBe(
      true,
    );

    healthy = true;
    await new Promise((r) => setTimeout(r, 80));
    expect(breaker.halfOpen).toBe(true);
    expect(await breaker.fire()).toBe('ok');
    expect(breaker.closed).toBe(true);
    const transitions = (await metrics.breakerTransitions.get()).values.map((v) => v.labels.state);
    expect(transitions).toEqual(expect.arrayContaining(['open', 'halfOpen', 'closed']));
  });

  it('does not open on non-retriable errors (the caller is wrong, not the provider)', async () => {
    const factory = createBreakerFactory(createLogger({ level: 'silent' }), createMetrics(), settings);
    const breaker = factory.create('provider-y', () =>
      Promise.reject(new ProviderError('PROVIDER_REQUEST_REJECTED', 'y', '400')),
    );
    for (let i = 0; i < 5; i++) await expect(breaker.fire()).rejects.toThrow('400');
    expect(breaker.closed).toBe(true);
  });
});
