import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoLogFile } from '../../../src/app/demo/log-file.js';
import { renderView, type ViewSnapshot } from '../../../src/app/demo/live-view.js';
import { componentLogger, createLogger } from '../../../src/core/logger.js';

describe('the demo log file', () => {
  it('keeps every line out of the terminal and counts warnings and errors for the live view', async () => {
    const stackDir = mkdtempSync(path.join(tmpdir(), 'oddsflow-demo-log-'));
    const log = demoLogFile(stackDir, new Date('2026-12-06T10:00:00Z'));
    const logger = createLogger({ level: 'info', destination: log.destination });
    const sink = componentLogger(logger, 'sink', 'timescale');
    sink.info('batch written');
    sink.warn('a batch of 4 records has been writing for 15 s');
    componentLogger(logger, 'connector', 'betfair').error('stream closed');
    logger.flush();
    await log.close();

    expect(log.tally.file).toBe(path.join(stackDir, 'logs', 'demo-2026-12-06T10-00-00-000Z.log'));
    const lines = readFileSync(log.tally.file, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'batch written',
      'a batch of 4 records has been writing for 15 s',
      'stream closed',
    ]);
    expect(log.tally).toMatchObject({ warnings: 1, errors: 1, last: 'connector/betfair: stream closed' });
  });

  it('is summed up in one line of the live view', () => {
    const snapshot: ViewSnapshot = {
      elapsedSeconds: 12,
      markets: [],
      rates: [],
      lag: [],
      breakers: [],
      deadLetters: 0,
      arbitragesOpened: 0,
      stores: { timescaleRows: 10, redisKeys: 3 },
      log: { file: '.stack/logs/demo.log', warnings: 2, errors: 0, last: 'sink/timescale: slow batch' },
    };
    const logLine = renderView(snapshot, 120)
      .split('\n')
      .find((l) => l.startsWith('  log '));
    expect(logLine).toContain('2 warning(s), 0 error(s)');
    expect(logLine).toContain('last: sink/timescale: slow batch');
    expect(logLine).toContain('.stack/logs/demo.log');
  });
});
