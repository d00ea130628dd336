import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createInputReader } from '../../../connectors/offline-readers.js';
import { createOddsApiClient } from '../../../connectors/the-odds-api/http-client.js';
import { packageRoot } from '../../../src/core/config/paths.js';
import { backfillFiles } from '../../../src/app/history/backfill-files.js';
import { backfillOddsApi } from '../../../src/app/history/backfill-odds-api.js';
import { newProgress, type BackfillProgress } from '../../../src/app/history/progress-file.js';
import { createLogger } from '../../../src/core/logger.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { CollectingPublisher } from '../../helpers/connector-deps.js';
import { simulator } from '../connectors/the-odds-api/helpers.js';

const fixtures = path.join(packageRoot, 'test/fixtures/historical');

function folder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'backfill-'));
  mkdirSync(path.join(dir, 'a'));
  copyFileSync(path.join(fixtures, '1.205822330.bz2'), path.join(dir, 'a', '1.205822330.bz2'));
  copyFileSync(path.join(fixtures, 'softbook-place.csv'), path.join(dir, 'b-softbook.csv'));
  return dir;
}

const reader = (dir: string) =>
  createInputReader({
    file: dir,
    format: 'auto',
    now: 0,
    report: (p) => {
      throw new Error(p.message);
    },
  });

const keyOf = (b: { sourceMarketId: string; bookmaker: string; side: string; eventTime: number }) =>
  `${b.sourceMarketId}|${b.bookmaker}|${b.side}|${b.eventTime}`;

describe('backfill of files', () => {
  it('stopped after some batches and resumed, publishes every record once, in order', async () => {
    const dir = folder();
    const full = new CollectingPublisher();
    expect(
      await backfillFiles({
        reader: await reader(dir),
        progress: newProgress('t'),
        publisher: full,
        checkpoint: () => Promise.resolve(),
        batchRecords: 500,
      }),
    ).toBe('complete');

    const first = new CollectingPublisher();
    const stop = new AbortController();
    let saved: BackfillProgress = newProgress('t');
    let batches = 0;
    const progress = newProgress('t');
    const outcome = await backfillFiles({
      reader: await reader(dir),
      progress,
      publisher: first,
      batchRecords: 500,
      checkpoint: (p) => {
        saved = structuredClone(p);
        return Promise.resolve();
      },
      onBatch: () => {
        if (++batches === 3) stop.abort();
      },
      signal: stop.signal,
    });
    expect(outcome).toBe('stopped');
    expect(saved.current?.position).toBeGreaterThan(0);
    expect(first.books.length).toBeLessThan(full.books.length);

    const second = new CollectingPublisher();
    expect(
      await backfillFiles({
        reader: await reader(dir),
        progress: saved,
        publisher: second,
        checkpoint: () => Promise.resolve(),
        batchRecords: 500,
      }),
    ).toBe('complete');
    expect([...first.books, ...second.books].map(keyOf)).toEqual(full.books.map(keyOf));
    expect(saved.complete).toBe(true);
    expect(saved.totals.books).toBe(full.books.length);

    // A complete progress publishes nothing more.
    const third = new CollectingPublisher();
    await backfillFiles({
      reader: await reader(dir),
      progress: saved,
      publisher: third,
      checkpoint: () => Promise.resolve(),
    });
    expect(third.books).toHaveLength(0);
  });

  it('refuses to resume on an input that is not the one the progress belongs to', async () => {
    const progress: BackfillProgress = { ...newProgress('t'), filesDone: 1, doneDigest: 'not-this-one' };
    await expect(
      backfillFiles({
        reader: await reader(folder()),
        progress,
        publisher: new CollectingPublisher(),
        checkpoint: () => Promise.resolve(),
      }),
    ).rejects.toThrow(/not the one the progress file belongs to/);
  });
});

describe("backfill of The Odds API's historical odds (simulator)", () => {
  const minute = 60_000;

  it('walks the snapshots, counts their credits, stops at --max-credits and resumes where it stopped', async () => {
    const now = Math.floor(Date.now() / (5 * minute)) * 5 * minute;
    const sim = await simulator({
      now: () => now,
      sports: [{ key: 'soccer_epl', events: 3 }],
      bookmakers: 4,
    });
    const client = createOddsApiClient(
      {
        baseUrl: sim.url,
        apiKey: sim.apiKey,
        requestTimeoutMs: 5_000,
        retry: { attempts: 1, initialMs: 10, maxMs: 10 },
      },
      {
        logger: createLogger({ level: 'silent' }),
        metrics: createMetrics(),
        clock: { now: () => Date.now() },
      },
    );
    const run = (progress: BackfillProgress, publisher: CollectingPublisher, maxCredits: number | null) =>
      backfillOddsApi({
        client,
        publisher,
        progress,
        checkpoint: () => Promise.resolve(),
        sport: 'soccer_epl',
        from: now - 30 * minute,
        to: now - 10 * minute,
        intervalMs: 5 * minute,
        query: { regions: 'eu', markets: 'h2h', oddsFormat: 'decimal' },
        maxCredits,
      });
    const progress = newProgress('odds');
    const first = new CollectingPublisher();
    expect(await run(progress, first, 20)).toBe('credits');
    // Each snapshot costs 10 × 1 market × 1 region; the third would pass 20.
    expect(progress.totals).toMatchObject({ files: 2, credits: 20 });
    expect(progress.nextSnapshot).toBe(new Date(now - 20 * minute).toISOString());
    expect(new Set(first.books.map((b) => b.receivedAt))).toEqual(
      new Set([now - 30 * minute, now - 25 * minute]),
    );

    const second = new CollectingPublisher();
    expect(await run(progress, second, null)).toBe('complete');
    expect(progress.totals).toMatchObject({ files: 5, credits: 50 });
    expect(new Set(second.books.map((b) => b.receivedAt))).toEqual(
      new Set([now - 20 * minute, now - 15 * minute, now - 10 * minute]),
    );
    expect(sim.stats.quotaUsed).toBe(50);
  });
});
