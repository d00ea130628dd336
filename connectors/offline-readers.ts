import { readFile } from 'node:fs/promises';
import { ConfigError } from '../src/core/errors.js';
import type { RecordChunk } from './contract.js';
import { compileCsvMapping, type CompiledCsvMapping } from './historical/odds-csv.js';
import type { ProblemSink } from './historical/problems.js';
import { readHistoricalFile } from './historical/read.js';
import { connectorModules, connectorNames, type ConnectorName } from './registry.js';
import { historicalFiles, type HistoricalFile } from './historical/sources.js';
import { fieldMappingSchema, type FieldMapping } from './ws-json/field-mapping.js';
import { simulatorFieldMapping } from './ws-json/simulator.js';

/** `--provider`: a connector's name for the format of its recordings (`--format`). */
export const offlineProviders = connectorNames;
export type OfflineProvider = ConnectorName;

export function formatOfProvider(provider: OfflineProvider): string {
  return connectorModules[provider].recordingFormat.name;
}

export interface InputOptions {
  /** A file, a folder, an archive, or `-` for stdin. */
  file: string;
  /** A name of `historyFormats` (historical/formats.ts), or `auto`. */
  format: string;
  /** First position of a single file whose records are returned (1-based); see RecordChunk.position. */
  from?: number;
  oddsFormat?: 'auto' | 'decimal' | 'american';
  /** ws-json field mapping (default: the simulator feed's). */
  mappingFile?: string | undefined;
  /** odds-csv column mapping (default: the documented columns). */
  csvMappingFile?: string | undefined;
  /** `provider` of odds-csv and ws-json records. */
  provider?: string | undefined;
  timeZone?: string | undefined;
  sport?: string | undefined;
  /** Time of records whose input gives none; for stdin, which has no modification time. */
  now: number;
  report: ProblemSink;
  /** Longest line read (characters); a longer one is skipped and reported. */
  maxLineLength?: number | undefined;
}

async function loadMapping(file: string | undefined): Promise<FieldMapping> {
  const raw: unknown = file ? JSON.parse(await readFile(file, 'utf8')) : simulatorFieldMapping;
  const mapping = fieldMappingSchema.safeParse(raw);
  if (!mapping.success)
    throw new ConfigError(mapping.error.issues.map((i) => `--mapping ${i.path.join('.')}: ${i.message}`));
  return mapping.data;
}

async function loadCsvMapping(file: string | undefined): Promise<CompiledCsvMapping | null> {
  return file === undefined ? null : compileCsvMapping(JSON.parse(await readFile(file, 'utf8')));
}

function stdinFile(now: number): HistoricalFile {
  return { name: 'stdin', fingerprint: 'stdin', mtime: now, bytes: process.stdin as AsyncIterable<Buffer> };
}

/** A chunk with the file it came from. */
export type InputChunk = RecordChunk & { file: string };

export interface InputReader {
  /** The input's files in their stable order (stdin: one). */
  files(): AsyncIterable<HistoricalFile> | Iterable<HistoricalFile>;
  /** One file's chunks, from position `from` on. */
  read(file: HistoricalFile, from?: number): AsyncGenerator<RecordChunk>;
}

/** The files of an input and a reader for each, with mappings loaded once. */
export async function createInputReader(
  options: Omit<InputOptions, 'from'>,
  onDiskBytes?: (n: number) => void,
): Promise<InputReader> {
  const wsMapping = await loadMapping(options.mappingFile);
  const csvMapping = await loadCsvMapping(options.csvMappingFile);
  return {
    files: () =>
      options.file === '-' ? [stdinFile(options.now)] : historicalFiles(options.file, onDiskBytes),
    read: (file, from) =>
      readHistoricalFile(file, {
        format: options.format,
        ...(from === undefined ? {} : { from }),
        oddsFormat: options.oddsFormat ?? 'auto',
        wsMapping,
        csvMapping,
        ...(options.provider === undefined ? {} : { provider: options.provider }),
        ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
        ...(options.sport === undefined ? {} : { sport: options.sport }),
        fallbackTime: file.name === 'stdin' ? options.now : file.mtime,
        report: options.report,
        ...(options.maxLineLength === undefined ? {} : { maxLineLength: options.maxLineLength }),
      }),
  };
}

/**
 * Recorded provider data as raw-record chunks, for `transform` and `replay` (`backfill` drives a
 * reader itself): a file, every file of a folder or an archive, or stdin, each in its format
 * (given, or told by its name and first line). Problems with the input (a truncated archive,
 * missing columns, records out of order) go to `report`; the remaining files are still read.
 */
export async function* readInputs(options: InputOptions): AsyncGenerator<InputChunk> {
  const reader = await createInputReader(options);
  for await (const file of reader.files()) {
    for await (const chunk of reader.read(file, options.from)) yield { ...chunk, file: file.name };
  }
}

export interface ProviderInputOptions {
  file: string;
  from?: number;
  receivedAt: number;
  oddsFormat?: 'auto' | 'decimal' | 'american';
  mappingFile?: string | undefined;
  report: ProblemSink;
}

/** One provider's recording (the form `--provider` names); see readInputs. */
export function readProviderInput(
  provider: OfflineProvider,
  options: ProviderInputOptions,
): AsyncGenerator<InputChunk> {
  return readInputs({
    file: options.file,
    format: formatOfProvider(provider),
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.oddsFormat === undefined ? {} : { oddsFormat: options.oddsFormat }),
    mappingFile: options.mappingFile,
    now: options.receivedAt,
    report: options.report,
  });
}
