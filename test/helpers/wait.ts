import { poll } from './ports.js';

/** Polls `probe` every 250 ms until it holds (a failing probe counts as not yet) or `timeoutMs` passes. */
export async function until(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  return (await poll(async () => ((await probe()) ? true : undefined), timeoutMs, 250)) === true;
}
