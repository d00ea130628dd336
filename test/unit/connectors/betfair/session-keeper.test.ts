import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IdentityClient } from '../../../../connectors/betfair/identity.js';
import { SessionKeeper, type SessionKeeperOptions } from '../../../../connectors/betfair/session-keeper.js';
import { SessionRejectedError } from '../../../../connectors/betfair/status-errors.js';
import { ProviderError } from '../../../../src/core/errors.js';
import { createLogger } from '../../../../src/core/logger.js';
import { captureLogs } from '../../../helpers/logs.js';

/**
 * The identity service as a script: what each call answers. The keeper's schedule is what is
 * under test here, with a fake clock; the HTTP client itself is tested against the simulator.
 */
class ScriptedIdentity implements IdentityClient {
  readonly calls: string[] = [];
  valid = new Set(['initial-token']);
  loginAnswer: (() => Promise<string>) | undefined;
  keepAliveFault: ProviderError | undefined;
  private issued = 0;

  login(): Promise<string> {
    this.calls.push('login');
    if (this.loginAnswer !== undefined) return this.loginAnswer();
    const token = `token-${++this.issued}`;
    this.valid.add(token);
    return Promise.resolve(token);
  }

  certLogin(): Promise<string> {
    this.calls.push('certLogin');
    return this.login();
  }

  keepAlive(token: string): Promise<string> {
    this.calls.push(`keepAlive ${token}`);
    if (this.keepAliveFault !== undefined) return Promise.reject(this.keepAliveFault);
    if (!this.valid.has(token)) return Promise.reject(new SessionRejectedError('NO_SESSION', 'keepAlive'));
    return Promise.resolve(token);
  }
}

const minute = 60_000;

function keeper(identity: ScriptedIdentity, options: Partial<SessionKeeperOptions> = {}) {
  const capture = captureLogs();
  const events = { lost: [] as [string, boolean][], restored: 0 };
  const keeper = new SessionKeeper(
    {
      initialToken: 'initial-token',
      login: { method: 'interactive', username: 'user', password: 'secret-password' },
      keepAliveMs: 10 * minute,
      retry: { initialMs: 1_000, maxMs: 30_000 },
      ...options,
    },
    identity,
    createLogger({ level: 'debug', destination: capture.stream }),
    {
      onLost: (error, retrying) => events.lost.push([error.message, retrying]),
      onRestored: () => void events.restored++,
    },
    () => 0.5,
  );
  return { keeper, events, logs: capture.lines };
}

describe('SessionKeeper', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('calls keepAlive every keepAliveMs, and not before', async () => {
    const identity = new ScriptedIdentity();
    const { keeper: k } = keeper(identity);
    k.start();
    await vi.advanceTimersByTimeAsync(10 * minute - 1);
    expect(identity.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(identity.calls).toEqual(['keepAlive initial-token']);
    await vi.advanceTimersByTimeAsync(20 * minute);
    expect(identity.calls).toEqual(Array(3).fill('keepAlive initial-token'));
    k.stop();
    await vi.advanceTimersByTimeAsync(60 * minute);
    expect(identity.calls).toHaveLength(3);
  });

  it('logs in again when keepAlive finds the session expired, and keeps the new one alive', async () => {
    const identity = new ScriptedIdentity();
    const { keeper: k, events, logs } = keeper(identity);
    k.start();
    identity.valid.clear();
    await vi.advanceTimersByTimeAsync(10 * minute);
    expect(identity.calls).toEqual(['keepAlive initial-token', 'login']);
    expect(await k.token()).toBe('token-1');
    await vi.advanceTimersByTimeAsync(10 * minute);
    expect(identity.calls.at(-1)).toBe('keepAlive token-1');
    expect(events.lost).toEqual([]);
    expect(JSON.stringify(logs())).not.toMatch(/secret-password|token-1|initial-token/);
  });

  it('shares one login between concurrent renewals, and hands a newer token to a late one', async () => {
    const identity = new ScriptedIdentity();
    const { keeper: k } = keeper(identity);
    const [a, b] = await Promise.all([k.renew('initial-token'), k.renew('initial-token')]);
    expect([a, b]).toEqual(['token-1', 'token-1']);
    expect(await k.renew('initial-token')).toBe('token-1');
    expect(identity.calls).toEqual(['login']);
    expect(await k.renew('token-1')).toBe('token-2');
  });

  it('logs in at the first token() without an initial token', async () => {
    const identity = new ScriptedIdentity();
    const { keeper: k } = keeper(identity, { initialToken: undefined });
    expect(await k.token()).toBe('token-1');
    expect(await k.token()).toBe('token-1');
    expect(identity.calls).toEqual(['login']);
  });

  it('retries a keepAlive that failed for a passing reason sooner, then returns to the schedule', async () => {
    const identity = new ScriptedIdentity();
    identity.keepAliveFault = new ProviderError(
      'PROVIDER_UNAVAILABLE',
      'betfair',
      'keepAlive: INTERNAL_ERROR',
    );
    const { keeper: k, events } = keeper(identity);
    k.start();
    await vi.advanceTimersByTimeAsync(10 * minute);
    expect(events.lost).toEqual([[expect.stringContaining('INTERNAL_ERROR'), true]]);
    identity.keepAliveFault = undefined;
    // Backoff with the fixed draw 0.5: max(initialMs, 0.5 * 1000 * 2^0) = 1 s.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(identity.calls).toHaveLength(2);
    expect(events.restored).toBe(1);
    await vi.advanceTimersByTimeAsync(10 * minute);
    expect(identity.calls).toHaveLength(3);
  });

  it('gives up, with one error line, when the expired session cannot be renewed', async () => {
    const identity = new ScriptedIdentity();
    identity.loginAnswer = () =>
      Promise.reject(
        new ProviderError('PROVIDER_AUTH_FAILED', 'betfair', 'login: INVALID_USERNAME_OR_PASSWORD'),
      );
    const { keeper: k, events, logs } = keeper(identity);
    k.start();
    identity.valid.clear();
    await vi.advanceTimersByTimeAsync(10 * minute);
    expect(events.lost).toEqual([
      [
        'betfair: keepAlive: session refused (NO_SESSION) and could not be renewed: login: INVALID_USERNAME_OR_PASSWORD',
        false,
      ],
    ]);
    expect(logs().filter((l) => l.level === 'error')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60 * minute);
    expect(identity.calls).toEqual(['keepAlive initial-token', 'login']);
  });

  it('cannot renew without a login, and says how to configure one', async () => {
    const { keeper: k } = keeper(new ScriptedIdentity(), { login: undefined });
    await expect(k.renew('initial-token')).rejects.toMatchObject({
      code: 'PROVIDER_AUTH_FAILED',
      retriable: false,
      message: expect.stringContaining('BETFAIR_USERNAME') as string,
    });
  });
});
