import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  superviseLoop,
  type ConsumerLoop,
  type SupervisorOptions,
} from '../../../src/core/kafka/supervised-loop.js';
import { createLogger } from '../../../src/core/logger.js';
import { captureLogs } from '../../helpers/logs.js';

/** A loop whose consumer can be made to stop for good, as watchConsumerCrashes reports it. */
class ScriptedLoop implements ConsumerLoop {
  stopped = false;
  private crash!: (err: Error) => void;
  readonly failed = new Promise<Error>((resolve) => (this.crash = resolve));

  fail(message: string): void {
    this.crash(new Error(message));
  }

  stop(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
}

/** Starts loops on demand; `failures` start attempts throw first. */
function starter(failures = 0) {
  const loops: ScriptedLoop[] = [];
  let attempts = 0;
  return {
    loops,
    get attempts() {
      return attempts;
    },
    start: () => {
      attempts++;
      if (attempts > 1 && failures-- > 0) return Promise.reject(new Error('broker still down'));
      const loop = new ScriptedLoop();
      loops.push(loop);
      return Promise.resolve(loop);
    },
  };
}

function options(overrides: Partial<SupervisorOptions> = {}) {
  const logs = captureLogs();
  const restarts: string[] = [];
  let now = 0;
  const clock = {
    now: () => now,
    advance: (ms: number) => (now += ms),
  };
  return {
    logs,
    restarts,
    clock,
    options: {
      name: 'prepare',
      logger: createLogger({ level: 'info', destination: logs.stream }),
      onRestart: (name: string) => restarts.push(name),
      backoff: { initialMs: 1, maxMs: 2 },
      maxRestarts: 3,
      windowMs: 60_000,
      clock,
      ...overrides,
    } satisfies SupervisorOptions,
  };
}

/** Lets `ms` of the supervisor's backoff pass on the fake timers, and what it then starts run. */
const settle = (ms = 30) => vi.advanceTimersByTimeAsync(ms);

describe('superviseLoop', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('starts a loop again when its consumer stops for good, and stops the old one first', async () => {
    const s = starter();
    const o = options();
    const loop = await superviseLoop(s.start, o.options);
    s.loops[0]!.fail('Failed to find group coordinator');
    await settle();
    expect(s.loops).toHaveLength(2);
    expect(s.loops[0]!.stopped).toBe(true);
    expect(s.loops[1]!.stopped).toBe(false);
    expect(o.restarts).toEqual(['prepare']);
    const warning = o.logs.lines().find((l) => l.level === 'warn');
    expect(warning?.msg).toMatch(
      /^prepare consumer stopped \(Failed to find group coordinator\); restarting it in \d+ ms$/,
    );

    // The new loop is watched too.
    s.loops[1]!.fail('again');
    await settle();
    expect(s.loops).toHaveLength(3);
    await loop.stop();
    expect(s.loops[2]!.stopped).toBe(true);
  });

  it('keeps trying while the broker is still down', async () => {
    const s = starter(2);
    const o = options();
    await superviseLoop(s.start, o.options);
    s.loops[0]!.fail('down');
    await settle();
    expect(s.attempts).toBe(4);
    expect(s.loops).toHaveLength(2);
    expect(o.restarts).toEqual(['prepare', 'prepare', 'prepare']);
  });

  it('gives up after maxRestarts attempts within the window: failed resolves with the last error', async () => {
    const s = starter(Infinity);
    const o = options();
    const loop = await superviseLoop(s.start, o.options);
    s.loops[0]!.fail('down');
    await settle();
    expect((await loop.failed).message).toBe('broker still down');
    expect(s.attempts).toBe(1 + 3);
    expect(o.logs.lines().at(-1)?.msg).toBe(
      'prepare consumer: 3 restarts within 60 s, giving up: broker still down',
    );
  });

  it('counts only the attempts inside the window', async () => {
    const s = starter();
    const o = options({ maxRestarts: 1 });
    const loop = await superviseLoop(s.start, o.options);
    s.loops[0]!.fail('first');
    await settle();
    o.clock.advance(60_001);
    s.loops[1]!.fail('an hour later');
    await settle();
    expect(s.loops).toHaveLength(3);
    s.loops[2]!.fail('right after');
    expect((await loop.failed).message).toBe('right after');
  });

  it('stop() during the wait before a restart starts nothing more', async () => {
    const s = starter();
    const o = options({ backoff: { initialMs: 60_000, maxMs: 60_000 }, random: () => 1 });
    const loop = await superviseLoop(s.start, o.options);
    s.loops[0]!.fail('down');
    await settle(59_999);
    expect(s.loops).toHaveLength(1);
    await loop.stop();
    // Past the moment the restart was due: it never comes.
    await settle(60_000);
    expect(s.loops).toHaveLength(1);
    expect(o.restarts).toEqual([]);
  });
});
