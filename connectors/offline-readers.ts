import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { ConfigError } from '../src/errors.js';
import { processStreamLines, readStreamFile } from './betfair/stream-file.js';
import { readOddsApiFile, readWsJsonFile, type ReaderOptions, type RecordChunk } from './file-readers.js';
import { fieldMappingSchema } from './ws-json/field-mapping.js';
import { simulatorFieldMapping } from './ws-json/simulator.js';

export const offlineProviders = ['the-odds-api', 'betfair', 'ws-json'] as const;
export type OfflineProvider = (typeof offlineProviders)[number];

export interface ProviderInputOptions extends Omit<ReaderOptions, 'mapping'> {
  /** A file path, or `-` for stdin. */
  file: string;
  /** First position whose records are returned (1-based); see RecordChunk.position. */
  from?: number;
  mappingFile?: string | undefined;
}

async function readText(file: string): Promise<string> {
  if (file !== '-') return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function loadMapping(file: string | undefined) {
  const raw: unknown = file ? JSON.parse(await readFile(file, 'utf8')) : simulatorFieldMapping;
  const mapping = fieldMappingSchema.safeParse(raw);
  if (!mapping.success)
    throw new ConfigError(mapping.error.issues.map((i) => `--mapping ${i.path.join('.')}: ${i.message}`));
  return mapping.data;
}

/**
 * A recorded provider payload (file or stdin) as raw-record chunks with positions, for
 * `transform` and `replay`. Betfair files are read line by line (and may be gzipped): a delta
 * needs the image before it, so a resumed read still applies the earlier lines to the cache.
 */
export async function* readProviderInput(
  provider: OfflineProvider,
  options: ProviderInputOptions,
): AsyncGenerator<RecordChunk> {
  const from = options.from ?? 1;
  if (provider === 'betfair') {
    // Decoded by the stream, as in readStreamFile: a character cut off at the end becomes U+FFFD.
    if (options.file === '-') process.stdin.setEncoding('utf8');
    const chunks =
      options.file === '-'
        ? processStreamLines(createInterface({ input: process.stdin, crlfDelay: Infinity }), {
            fromLine: from,
          })
        : readStreamFile(options.file, { fromLine: from });
    for await (const chunk of chunks)
      yield { position: chunk.line, books: chunk.books, results: chunk.results, failures: chunk.failures };
    return;
  }
  const text = await readText(options.file);
  const chunks =
    provider === 'the-odds-api'
      ? readOddsApiFile(text, options)
      : readWsJsonFile(text, { ...options, mapping: await loadMapping(options.mappingFile) });
  for (const chunk of chunks) if (chunk.position >= from) yield chunk;
}
