import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createInputReader } from '../../connectors/offline-readers.js';
import { openKafkaPublisher } from '../../connectors/runtime/kafka-publisher.js';
import { backfillFiles } from '../../src/app/history/backfill-files.js';
import { newProgress } from '../../src/app/history/progress-file.js';
import { createMetrics } from '../../src/core/metrics.js';
import { packageRoot } from '../../src/core/config/paths.js';
import { tarArchive } from '../../connectors/historical/tar-writer.js';
import type { BenchEnv } from '../env.js';
import { progress } from '../progress.js';
import type { BenchResult } from '../report.js';
import { perSecond } from '../stats.js';

export interface BackfillBenchOptions {
  /** Copies of each of the three real recordings in the archive. */
  copies: number;
}

const markets = ['1.185781277', '1.200806927', '1.205822330'];

/**
 * `oddsflow backfill` from a local archive into Kafka, in process: a tar of bz2 files (one market
 * each, as Betfair sells them) made of the three real recordings, read, decompressed, decoded
 * through the Betfair stream processor and published with the connectors' Kafka publisher to
 * odds.raw/results.raw of this run. Betfair stream messages (lines) per second, from the first
 * byte read to the last record acknowledged; the engine's own progress keeping included, the
 * process start and topic provisioning not.
 */
export async function benchBackfill(env: BenchEnv, options: BackfillBenchOptions): Promise<BenchResult[]> {
  const scenario = 'backfill';
  const dir = await mkdtemp(path.join(tmpdir(), 'oddsflow-bench-backfill-'));
  const fixtures = path.join(packageRoot, 'test/fixtures');
  const files: { name: string; data: Buffer }[] = [];
  let lines = 0;
  for (let copy = 0; copy < options.copies; copy++) {
    for (const market of markets) {
      files.push({
        name: `PRO/${copy}/${market}.bz2`,
        data: await readFile(path.join(fixtures, `historical/${market}.bz2`)),
      });
      if (copy === 0) {
        const text = gunzipSync(await readFile(path.join(fixtures, `betfair/${market}.gz`))).toString('utf8');
        lines += text.split('\n').filter((l) => l.trim() !== '').length;
      }
    }
  }
  const messages = lines * options.copies;
  const archive = path.join(dir, 'betfair.tar');
  await writeFile(archive, tarArchive(files));
  progress(scenario, `archive: ${files.length} bz2 files, ${messages} Betfair messages`);
  const publisher = await openKafkaPublisher(env.kafka, {
    serde: env.serde,
    names: env.names,
    metrics: createMetrics(),
    clock: { now: () => Date.now() },
  });
  try {
    const reader = await createInputReader({
      file: archive,
      format: 'auto',
      now: Date.now(),
      report: (p) => {
        throw new Error(`bench archive: ${p.message}`);
      },
    });
    const state = newProgress('bench');
    const began = performance.now();
    const outcome = await backfillFiles({
      reader,
      progress: state,
      publisher,
      checkpoint: () => Promise.resolve(),
    });
    const ms = performance.now() - began;
    if (outcome !== 'complete') throw new Error(`backfill ended ${outcome}`);
    const records = state.totals.books + state.totals.results;
    progress(
      scenario,
      `${records} records in ${(ms / 1000).toFixed(1)} s: ${Math.round(perSecond(messages, ms))} messages/s`,
    );
    return [
      { name: 'backfill', value: Math.round(perSecond(messages, ms)), unit: 'messages/s' },
      { name: 'backfill_records', value: Math.round(perSecond(records, ms)), unit: 'records/s' },
    ];
  } finally {
    await publisher.close();
    await rm(dir, { recursive: true, force: true });
  }
}
