import type { ParseFailure, RawPublisher } from '../../../connectors/contract.js';
import type { InputReader } from '../../../connectors/offline-readers.js';
import type { RawMarketBook, RawResult } from '../../core/generated/avro-types.js';
import { OddsflowError } from '../../core/errors.js';
import { chainDigest, type BackfillProgress } from './progress-file.js';

/** A batch of records and the position it ends at (what the progress may record once it is acknowledged). */
interface Batch {
  books: RawMarketBook[];
  results: RawResult[];
  failures: ParseFailure[];
  position: number;
}

export interface FileBackfillOptions {
  reader: InputReader;
  progress: BackfillProgress;
  publisher: RawPublisher;
  /** Called after each acknowledged batch and each finished file; saves when it sees fit. */
  checkpoint(progress: BackfillProgress, force: boolean): Promise<void>;
  /** Records per batch handed to the publisher. */
  batchRecords?: number;
  /** Bytes of files skipped on resume without being read (the bar's share). */
  onSkipped?(bytes: number): void;
  onBatch?(progress: BackfillProgress): void;
  signal?: AbortSignal;
}

/**
 * Publishes every file of the input in order, resuming where `progress` says: the first
 * `filesDone` files are skipped (their fingerprints must chain to the same digest, else the
 * input is not the one the progress belongs to), the current file is read from its start (a
 * Betfair delta needs the image before it) and published from the line after the last one
 * acknowledged. One batch is in flight while the next is read. The progress only ever records
 * what Kafka acknowledged, so a crash repeats at most the batch in flight, which the sinks'
 * upserts absorb.
 */
export async function backfillFiles(options: FileBackfillOptions): Promise<'complete' | 'stopped'> {
  const { reader, progress, publisher } = options;
  const batchRecords = options.batchRecords ?? 2_000;
  let inFlight: Promise<void> = Promise.resolve();
  let digest = '';
  let index = 0;

  const send = async (batch: Batch, fingerprint: string): Promise<void> => {
    if (batch.books.length > 0) await publisher.publishBooks(batch.books);
    if (batch.results.length > 0) await publisher.publishResults(batch.results);
    for (const failure of batch.failures) await publisher.deadLetter(failure);
    progress.current = { fingerprint, position: batch.position };
    progress.totals.books += batch.books.length;
    progress.totals.results += batch.results.length;
    progress.totals.deadLetters += batch.failures.length;
    options.onBatch?.(progress);
    await options.checkpoint(progress, false);
  };

  /** Starts sending `batch` once the previous one is acknowledged; returns at once. */
  const dispatch = async (batch: Batch, fingerprint: string): Promise<void> => {
    const previous = inFlight;
    await previous;
    inFlight = send(batch, fingerprint);
    // A failure surfaces on the next await of inFlight; keep it from being unhandled meanwhile.
    inFlight.catch(() => undefined);
  };

  for await (const file of reader.files()) {
    if (index < progress.filesDone) {
      digest = chainDigest(digest, file.fingerprint);
      index++;
      if (file.diskSize !== undefined) options.onSkipped?.(file.diskSize);
      continue;
    }
    if (index === progress.filesDone && digest !== progress.doneDigest) {
      throw new OddsflowError(
        'INPUT_UNREADABLE',
        `the input is not the one the progress file belongs to (its first ${progress.filesDone} files differ): use --restart`,
      );
    }
    if (options.signal?.aborted) break;
    const resumeAt = progress.current !== null ? progress.current : undefined;
    if (resumeAt !== undefined && resumeAt.fingerprint !== file.fingerprint) {
      throw new OddsflowError(
        'INPUT_UNREADABLE',
        `file ${index + 1} of the input is ${file.name}, not the one the progress file was reading: use --restart`,
      );
    }
    const from = resumeAt === undefined ? 1 : resumeAt.position + 1;
    let batch: Batch = { books: [], results: [], failures: [], position: from - 1 };
    let size = 0;
    for await (const chunk of reader.read(file, from)) {
      batch.books.push(...chunk.books);
      batch.results.push(...chunk.results);
      batch.failures.push(...chunk.failures);
      batch.position = chunk.position;
      size += chunk.books.length + chunk.results.length + chunk.failures.length;
      if (size >= batchRecords) {
        await dispatch(batch, file.fingerprint);
        batch = { books: [], results: [], failures: [], position: chunk.position };
        size = 0;
        if (options.signal?.aborted) break;
      }
    }
    if (size > 0) await dispatch(batch, file.fingerprint);
    await inFlight;
    if (options.signal?.aborted) return 'stopped';
    digest = chainDigest(digest, file.fingerprint);
    index++;
    progress.filesDone = index;
    progress.doneDigest = digest;
    progress.current = null;
    progress.totals.files = index;
    options.onBatch?.(progress);
    await options.checkpoint(progress, true);
  }
  await inFlight;
  if (options.signal?.aborted) return 'stopped';
  if (index < progress.filesDone) {
    throw new OddsflowError(
      'INPUT_UNREADABLE',
      `the input has ${index} files, fewer than the ${progress.filesDone} the progress file has done: use --restart`,
    );
  }
  progress.complete = true;
  await options.checkpoint(progress, true);
  return 'complete';
}
