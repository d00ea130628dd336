import { spawn, spawnSync } from 'node:child_process';
import { openSync, readFileSync, writeFileSync, rmSync, closeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A long-running service process that outlives the command that started it. */
export interface DaemonSpec {
  command: string;
  args: string[];
  cwd: string;
  logFile: string;
  pidFile: string;
  env?: NodeJS.ProcessEnv;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The command line of a process, or undefined where /proc cannot tell (not Linux, gone). */
function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/**
 * The pid in `pidFile` when that process still runs and is the service (its command line holds
 * `marker`: pids are reused, and a stale file could name an unrelated process); a stale file is
 * removed.
 */
export function runningPid(pidFile: string, marker: string): number | undefined {
  const pid = readPid(pidFile);
  if (pid === undefined) return undefined;
  const command = isAlive(pid) ? commandLine(pid) : undefined;
  if (isAlive(pid) && (command === undefined || command.includes(marker))) return pid;
  rmSync(pidFile, { force: true });
  return undefined;
}

/**
 * Starts a detached process (its own process group, output appended to `logFile`) and records
 * its pid. Detached so that `stack up` can exit and the services keep running.
 */
export function spawnDaemon(spec: DaemonSpec): number {
  const out = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', out, out],
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    child.unref();
    writeFileSync(spec.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/**
 * SIGTERM, then SIGKILL after `graceMs`. Returns true when the process is gone.
 * Kafka needs a few seconds for a controlled shutdown, so callers give it more grace.
 */
export async function stopProcess(pid: number, graceMs: number): Promise<boolean> {
  if (!isAlive(pid)) return true;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return !isAlive(pid);
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  return !isAlive(pid);
}

/** The absolute path of an executable on PATH, or undefined. */
export function which(command: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const found = result.stdout.trim();
  return result.status === 0 && found.length > 0 ? found : undefined;
}

/** Runs a command to completion; resolves with its output, rejects with its last lines. */
export function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else {
        const tail = output.trim().split('\n').slice(-5).join('\n');
        reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${tail}`));
      }
    });
  });
}

/** Polls `probe` until it resolves true or `timeoutMs` passes; returns the last error seen. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 500,
): Promise<{ ok: boolean; lastError: unknown }> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return { ok: true, lastError: undefined };
    } catch (err) {
      lastError = err;
    }
    await sleep(intervalMs);
  }
  return { ok: false, lastError };
}

/** The last lines of a log file, for an error message that tells the user where to look. */
export function tailOf(file: string, lines = 5): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
