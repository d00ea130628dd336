import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { OddsflowError } from '../../core/errors.js';

const totalsSchema = z.object({
  files: z.number().int().nonnegative(),
  books: z.number().int().nonnegative(),
  results: z.number().int().nonnegative(),
  deadLetters: z.number().int().nonnegative(),
  problems: z.number().int().nonnegative(),
  credits: z.number().nonnegative(),
});
export type BackfillTotals = z.infer<typeof totalsSchema>;

export const emptyTotals = (): BackfillTotals => ({
  files: 0,
  books: 0,
  results: 0,
  deadLetters: 0,
  problems: 0,
  credits: 0,
});

/**
 * What a backfill has handed to Kafka (acknowledged), written after each acknowledged batch:
 * files are read in a stable order, so "the first N files, then this file up to this line"
 * says everything; the digest of the finished files' fingerprints tells a changed input from
 * the one the progress belongs to.
 */
export const progressSchema = z.object({
  version: z.literal(1),
  /** What was backfilled: `files <path> <format>` or `the-odds-api <sport> …`. */
  source: z.string(),
  complete: z.boolean(),
  filesDone: z.number().int().nonnegative(),
  doneDigest: z.string(),
  /** The file being read and its last published position. */
  current: z.object({ fingerprint: z.string(), position: z.number().int().nonnegative() }).nullable(),
  /** The Odds API: the next snapshot time to fetch (ISO), null when none is left. */
  nextSnapshot: z.string().nullable().optional(),
  totals: totalsSchema,
  updatedAt: z.string(),
});
export type BackfillProgress = z.infer<typeof progressSchema>;

export function newProgress(source: string): BackfillProgress {
  return {
    version: 1,
    source,
    complete: false,
    filesDone: 0,
    doneDigest: '',
    current: null,
    totals: emptyTotals(),
    updatedAt: new Date(0).toISOString(),
  };
}

/** The digest after one more finished file. */
export function chainDigest(digest: string, fingerprint: string): string {
  return createHash('sha256').update(digest).update('\n').update(fingerprint).digest('hex');
}

/** The progress file at `file`, or undefined when there is none; an unreadable one is an error, never ignored. */
export async function readProgress(file: string): Promise<BackfillProgress | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OddsflowError('INPUT_UNREADABLE', `progress file ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    return progressSchema.parse(JSON.parse(text));
  } catch (err) {
    throw new OddsflowError(
      'INPUT_UNREADABLE',
      `progress file ${file} is not a backfill progress file (${(err as Error).message.split('\n')[0]}): move it away or use --restart`,
      { cause: err },
    );
  }
}

/** Written to a temporary file and renamed over the old one, so a crash never leaves half a file. */
export async function writeProgress(file: string, progress: BackfillProgress): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(
    temporary,
    JSON.stringify({ ...progress, updatedAt: new Date().toISOString() }, null, 2) + '\n',
  );
  await rename(temporary, file);
}
