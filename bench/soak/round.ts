import { spawn } from 'node:child_process';
import { cliFromSources } from '../../src/app/node-flags.js';
import { packageRoot } from '../../src/core/config/paths.js';

/** Lines of the demo's output that mean a stage or a store stopped answering. */
const stallSigns = [
  /still unread after/,
  /did not stop within/,
  /has been writing for/,
  /did not answer the summary/,
];

export interface RoundOutcome {
  exitCode: number | null;
  seconds: number;
  /** The demo's JSON summary, if it printed one. */
  summary:
    | {
        timescale: Record<string, number>;
        topics: Record<string, number>;
        deadLetters: number;
        deadLetterReasons?: Record<string, number>;
      }
    | undefined;
  /** The output lines that show a stall. */
  stalls: string[];
}

/**
 * One `oddsflow demo --duration S --json`, as a user runs it: no DATABASE_URL, nor Kafka or
 * registry settings, so that it finds the local stack (the embedded TimescaleDB) by itself.
 */
export function runDemoRound(durationSeconds: number, limitMs: number): Promise<RoundOutcome> {
  const env: NodeJS.ProcessEnv = { ...process.env, ODDSFLOW_LOG_LEVEL: 'warn' };
  for (const name of ['DATABASE_URL', 'KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL']) delete env[name];
  const began = Date.now();
  const child = spawn(
    process.execPath,
    cliFromSources(['demo', '--duration', String(durationSeconds), '--json']),
    { cwd: packageRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  // A round that hangs is a stall too; it must not hang the soak.
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      const lines = output.split('\n');
      const summaryLine = lines.filter((l) => l.startsWith('{"topics"')).at(-1);
      const stalls = lines.filter((l) => stallSigns.some((sign) => sign.test(l)));
      if (signal === 'SIGKILL') stalls.push(`killed after ${limitMs / 1000} s without ending`);
      resolve({
        exitCode: code,
        seconds: (Date.now() - began) / 1000,
        summary: summaryLine ? (JSON.parse(summaryLine) as RoundOutcome['summary']) : undefined,
        stalls,
      });
    });
  });
}
