import { vi } from 'vitest';
import { poll } from './ports.js';

/** Polls `probe` every 250 ms until it holds (a failing probe counts as not yet) or `timeoutMs` passes. */
export async function until(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  return (await poll(async () => ((await probe()) ? true : undefined), timeoutMs, 250)) === true;
}

/**
 * Retries `check` (an `expect`, or a function that throws until it holds) every 10 ms until it
 * passes or `timeoutMs` is up, then fails with its last error: what a test of something running
 * on its own timers (a connector, a simulator) waits with.
 */
export function waitFor<T>(check: () => T, timeoutMs = 10_000): Promise<T> {
  return vi.waitFor(check, { timeout: timeoutMs, interval: 10 });
}
