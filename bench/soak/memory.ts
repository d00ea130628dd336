import { readFileSync } from 'node:fs';

export interface MemorySample {
  /** Seconds since the soak began. */
  at: number;
  rssMb: number | null;
  heapUsedMb: number | null;
}

/** VmRSS of a process from /proc (Linux), in MB. */
export function rssOf(pid: number): number | null {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 100) / 10;
  } catch {
    return null;
  }
}

/** The newest `stats {...}` line the embedded TimescaleDB wrote to its log: its V8 heap in use. */
export function lastLoggedHeap(logFile: string): number | null {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return null;
  }
  const line = text
    .trimEnd()
    .split('\n')
    .reverse()
    .find((l) => l.includes(' stats {'));
  if (!line) return null;
  try {
    return (JSON.parse(line.slice(line.indexOf('{'))) as { heapUsedMb: number }).heapUsedMb;
  } catch {
    return null;
  }
}
