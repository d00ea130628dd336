import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll } from 'vitest';
import { cliFromSources } from '../../src/app/node-flags.js';
import { packageRoot } from '../../src/core/config/paths.js';

const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * `oddsflow <args>` as a child process with the given environment (a variable set to undefined is
 * removed from the inherited one), started with the Node.js flags `npm run oddsflow` gives it; killed
 * after the file if still running.
 */
export function spawnOddsflow(
  args: string[],
  env: Record<string, string | undefined>,
): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, cliFromSources(args), {
    cwd: packageRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  children.add(child);
  child.on('exit', () => children.delete(child));
  return Object.assign(child, { output: () => output });
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/**
 * The exit code, or 'timed out' after `ms` (the child is then killed): a test that waits for a
 * process then fails with the process's output instead of a bare test timeout.
 */
export async function exitedWithin(child: ChildProcess, ms: number): Promise<number | null | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timed out'>(
    (resolve) => (timer = setTimeout(() => resolve('timed out'), ms)),
  );
  const outcome = await Promise.race([exited(child), deadline]);
  clearTimeout(timer);
  if (outcome === 'timed out') child.kill('SIGKILL');
  return outcome;
}
