import { describe, expect, it } from 'vitest';
import { ProgressBar, renderProgress } from '../../../src/app/history/progress-bar.js';

const state = {
  files: 3,
  totalFiles: 10,
  records: 50_000,
  deadLetters: 2,
  problems: 1,
  readBytes: 250,
  totalBytes: 1_000,
};

describe('backfill progress bar', () => {
  it('shows the share, files, records, rate and an ETA from the bytes read', () => {
    expect(renderProgress(state, 10_000, 10)).toBe(
      '[###.......]  25% 3/10 files · 50,000 records · 5,000 records/s · ETA 0:30 · 2 dead letters · 1 problems',
    );
    expect(renderProgress({ ...state, totalBytes: null, totalFiles: null }, 10_000)).toMatch(
      /^3 files · 50,000 records · 5,000 records\/s · ETA \?/,
    );
  });

  it('redraws in place on a terminal and prints periodic lines otherwise', () => {
    let t = 0;
    const tty: string[] = [];
    const bar = new ProgressBar({ tty: true, write: (s) => tty.push(s), now: () => t });
    for (t = 0; t < 1_000; t += 50) bar.update(state);
    expect(tty).toHaveLength(5);
    expect(tty.every((s) => s.startsWith('\r\x1b[2K') && !s.endsWith('\n'))).toBe(true);
    const log: string[] = [];
    t = 0;
    const lines = new ProgressBar({ tty: false, write: (s) => log.push(s), now: () => t });
    for (t = 0; t < 25_000; t += 1_000) lines.update(state);
    lines.done(state);
    expect(log).toHaveLength(4);
    expect(log.every((s) => s.endsWith('\n') && !s.includes('\r'))).toBe(true);
  });
});
