import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../src/core/config/paths.js';
import type { Env } from '../src/core/config/load.js';

export type RoleName = 'connectors' | 'processors' | 'sinks';

/** `tsx`: the sources through tsx's loader (no build needed); `compiled`: dist/, as the Docker image runs. */
export type RoleRuntime = 'tsx' | 'compiled';

interface RoleCommandOptions {
  nodeArgs?: readonly string[];
  runtime?: RoleRuntime;
}

/** The node arguments that run a role (after the node executable). */
export function roleCommand(role: RoleName, options: RoleCommandOptions = {}): string[] {
  const entry =
    options.runtime === 'compiled'
      ? [path.join(packageRoot, 'dist/src/app/cli/main.js')]
      : ['--import', 'tsx', path.join(packageRoot, 'src/app/cli/main.ts')];
  return [...(options.nodeArgs ?? []), ...entry, 'run', '--role', role];
}

/** A role running as its own process, as in production: `oddsflow run --role <role>`. */
export interface RoleProcess {
  role: RoleName;
  pid: number;
  /** Where it serves /metrics. */
  httpPort: number;
  /** Peak resident set (VmHWM of /proc/<pid>/status) in MiB so far; the last value read once it exited. */
  peakRssMiB(): number;
  /** SIGTERM (graceful: finish the batch, commit, close), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** VmHWM of a live process, in MiB; undefined when it is gone or /proc has no such line. */
export function readVmHwmMiB(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/**
 * Starts the role and resolves once it logs that it runs (its HTTP port is in that line). Its
 * JSON log lines at warn and above are passed to `onLog`; the rest are dropped.
 */
export async function startRole(
  role: RoleName,
  env: Env,
  onLog: (line: string) => void,
  options: RoleCommandOptions & { startTimeoutMs?: number } = {},
): Promise<RoleProcess> {
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;
  const child = spawn(process.execPath, roleCommand(role, options), {
    cwd: packageRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${role}: could not start a process`);
  let peak = 0;
  const sample = (): number => {
    peak = Math.max(peak, readVmHwmMiB(pid) ?? 0);
    return peak;
  };
  // VmHWM only grows, so a sample now and then keeps the peak should the process die unexpectedly.
  const sampler = setInterval(sample, 1000);
  child.once('exit', () => clearInterval(sampler));

  const httpPort = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      reject(new Error(`${role}: not running after ${startTimeoutMs / 1000} s`));
      child.kill('SIGKILL');
    }, startTimeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`${role}: exited (${code ?? signal}) before it ran; last output: ${buffered.slice(-2000)}`),
      );
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const port = /"httpPort":(\d+)/.exec(line)?.[1];
        if (port !== undefined) {
          clearTimeout(timer);
          resolve(Number(port));
        } else if (/"level":("?(warn|error|fatal)"?|40|50|60)\b/.test(line) || !line.startsWith('{')) {
          onLog(`${role}: ${line}`);
        }
      }
    });
  });

  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) onLog(`${role}: exited unexpectedly (${code ?? signal})`);
  });
  return {
    role,
    pid,
    httpPort,
    peakRssMiB: sample,
    async stop(graceMs = 15_000) {
      sample();
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
