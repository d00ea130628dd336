import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runningPid } from '../../../stack/processes.js';

describe('runningPid', () => {
  const pidFile = () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'pid-')), 'service.pid');
    writeFileSync(file, `${process.pid}\n`);
    return file;
  };

  it('names a live process whose command line is the service', () => {
    expect(runningPid(pidFile(), 'node')).toBe(process.pid);
  });

  it('does not trust a reused pid that now belongs to another program, and removes the stale file', () => {
    const file = pidFile();
    expect(runningPid(file, 'kafka.Kafka')).toBeUndefined();
    expect(existsSync(file)).toBe(false);
  });

  it('removes the file of a process that is gone', () => {
    const file = pidFile();
    writeFileSync(file, '2147483646\n');
    expect(runningPid(file, 'node')).toBeUndefined();
    expect(existsSync(file)).toBe(false);
  });
});
