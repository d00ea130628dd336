import { describe, expect, it } from 'vitest';
import {
  cpuMsExceptBench,
  cpuMsOf,
  cpuShares,
  parseStatCpuMs,
  serviceOf,
  type CpuSnapshot,
} from '../../../bench/cpu.js';

describe('parseStatCpuMs', () => {
  it('adds utime and stime (in ticks of 10 ms), whatever the process name holds', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
    const stat = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 40 0 0 20 0 11 0';
    expect(parseStatCpuMs(stat)).toBe(2_900);
  });
});

describe('serviceOf', () => {
  it('recognises the stack services by their command lines', () => {
    expect(serviceOf('/usr/bin/java -Xmx512m -cp /x/libs/* kafka.Kafka /x/server.properties')).toBe('kafka');
    expect(serviceOf('/usr/bin/java -jar /x/apicurio-registry-app-3.0.9-runner.jar')).toBe('registry');
    expect(serviceOf('postgres: 15/main: postgres test 127.0.0.1(5000) idle')).toBe('postgres');
    expect(serviceOf('redis-server 127.0.0.1:6379')).toBe('redis');
    expect(serviceOf('/usr/bin/node --import tsx src/app/cli/main.ts run --role sinks')).toBeUndefined();
  });
});

describe('cpuShares', () => {
  it('gives each name its share of one core between two snapshots, and the machine totals', () => {
    const from: CpuSnapshot = {
      at: 0,
      machine: { busy: 0, idle: 0 },
      byPid: new Map([
        [10, { name: 'sinks', ms: 100 }],
        [20, { name: 'postgres', ms: 1_000 }],
        [21, { name: 'postgres', ms: 500 }],
      ]),
    };
    const to: CpuSnapshot = {
      at: 2_000,
      machine: { busy: 3_000, idle: 1_000 },
      byPid: new Map([
        [10, { name: 'sinks', ms: 1_100 }],
        [20, { name: 'postgres', ms: 1_400 }],
        [21, { name: 'postgres', ms: 700 }],
      ]),
    };
    const shares = cpuShares(from, to);
    expect(shares.get('sinks')).toBe(0.5);
    expect(shares.get('postgres')).toBeCloseTo(0.3, 12);
    expect(shares.get('machine busy')).toBe(1.5);
    expect(shares.get('machine idle')).toBe(0.5);
  });

  it('counts all the time of a process that appeared or restarted in between: it started after the first snapshot', () => {
    const from: CpuSnapshot = {
      at: 0,
      machine: { busy: 0, idle: 0 },
      byPid: new Map([
        [30, { name: 'registry', ms: 90_000 }],
        [40, { name: 'postgres', ms: 2_000 }],
      ]),
    };
    const to: CpuSnapshot = {
      at: 1_000,
      machine: { busy: 1_000, idle: 1_000 },
      byPid: new Map([
        [31, { name: 'registry', ms: 400 }],
        [40, { name: 'postgres', ms: 2_100 }],
        [41, { name: 'postgres', ms: 300 }],
        [50, { name: 'bench', ms: 700 }],
      ]),
    };
    expect(cpuShares(from, to).get('registry')).toBeCloseTo(0.4, 12);
    expect(cpuShares(from, to).get('postgres')).toBeCloseTo(0.4, 12);
    expect(cpuMsExceptBench(from, to)).toBe(800);
    expect(cpuMsOf(from, to, 'postgres')).toBe(400);
    expect(cpuMsOf(from, to, 'redis')).toBe(0);
  });
});
