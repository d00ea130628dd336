import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc times (USER_HZ), 100 on Linux everywhere that matters. */
const ticksPerSecond = 100;

/** User + system CPU time of a process in ms, from /proc/<pid>/stat; undefined when it is gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    return parseStatCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** utime + stime (fields 14 and 15) of a /proc/<pid>/stat line, in ms; the name may hold spaces and parens. */
export function parseStatCpuMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** Busy and idle ms of the whole machine (all cores), from the first line of /proc/stat. */
export function machineCpuMs(): { busy: number; idle: number } {
  const first = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, ...values] = first.trim().split(/\s+/);
  const n = values.map(Number);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: ((total - idle) * 1000) / ticksPerSecond, idle: (idle * 1000) / ticksPerSecond };
}

/** Which stack service a command line belongs to, if any. */
export function serviceOf(cmdline: string): 'kafka' | 'registry' | 'postgres' | 'redis' | undefined {
  if (cmdline.includes('kafka.Kafka')) return 'kafka';
  if (cmdline.includes('apicurio-registry')) return 'registry';
  if (cmdline.startsWith('postgres')) return 'postgres';
  if (cmdline.startsWith('redis-server')) return 'redis';
  return undefined;
}

/** CPU ms so far of every stack service's process, by pid (PostgreSQL has one per connection). */
export function serviceCpuMs(): Map<number, { name: string; ms: number }> {
  const byPid = new Map<number, { name: string; ms: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const service = serviceOf(readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' '));
      if (service === undefined) continue;
      byPid.set(Number(entry), {
        name: service,
        ms: parseStatCpuMs(readFileSync(`/proc/${entry}/stat`, 'utf8')),
      });
    } catch {
      // The process ended between listing and reading.
    }
  }
  return byPid;
}

export interface CpuSnapshot {
  at: number;
  machine: { busy: number; idle: number };
  /** CPU ms so far of each process, by pid, with the name it is reported under. */
  byPid: Map<number, { name: string; ms: number }>;
}

/** CPU ms of the given processes (name → pid), the stack services and this process, and the machine's. */
export function cpuSnapshot(processes: ReadonlyMap<string, number>): CpuSnapshot {
  const byPid = serviceCpuMs();
  for (const [name, pid] of processes) {
    const ms = processCpuMs(pid);
    if (ms !== undefined) byPid.set(pid, { name, ms });
  }
  const own = process.cpuUsage();
  byPid.set(process.pid, { name: 'bench', ms: (own.user + own.system) / 1000 });
  return { at: performance.now(), machine: machineCpuMs(), byPid };
}

/**
 * CPU ms a process used between two snapshots. One that was not there at the first (a PostgreSQL
 * backend of a connection the sinks' pool opened meanwhile, a service restarted) started after
 * it, so all its time counts; counting it as nothing left out up to a quarter of a drain's CPU.
 * A process that ended in between is not in `to`, and its last stretch is lost.
 */
function usedBetween(from: CpuSnapshot, pid: number, now: { name: string; ms: number }): number {
  const before = from.byPid.get(pid);
  return before === undefined || before.name !== now.name ? now.ms : now.ms - before.ms;
}

/**
 * Share of one core each name used between two snapshots (1.0 = one core busy all the time),
 * over the processes present at the second, plus `machine busy` and `machine idle` over all cores.
 */
export function cpuShares(from: CpuSnapshot, to: CpuSnapshot): Map<string, number> {
  const wall = to.at - from.at;
  const shares = new Map<string, number>();
  for (const [pid, now] of to.byPid) {
    shares.set(now.name, (shares.get(now.name) ?? 0) + usedBetween(from, pid, now) / wall);
  }
  shares.set('machine busy', (to.machine.busy - from.machine.busy) / wall);
  shares.set('machine idle', (to.machine.idle - from.machine.idle) / wall);
  return shares;
}

/** CPU ms used between two snapshots by the processes reported under `name` (e.g. `postgres`). */
export function cpuMsOf(from: CpuSnapshot, to: CpuSnapshot, name: string): number {
  let total = 0;
  for (const [pid, now] of to.byPid) if (now.name === name) total += usedBetween(from, pid, now);
  return total;
}

/** CPU ms used between two snapshots by every process but this one (the bench's own clients). */
export function cpuMsExceptBench(from: CpuSnapshot, to: CpuSnapshot): number {
  let total = 0;
  for (const [pid, now] of to.byPid) if (now.name !== 'bench') total += usedBetween(from, pid, now);
  return total;
}

export function formatShares(shares: ReadonlyMap<string, number>): string {
  return [...shares]
    .sort((a, b) => b[1] - a[1])
    .map(([name, share]) => `${name} ${share.toFixed(2)}`)
    .join(', ');
}
