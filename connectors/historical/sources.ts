import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { OddsflowError } from '../../src/core/errors.js';
import { compressionOf, decompress } from './decompress.js';
import { readTar } from './tar.js';

/** One historical file: on disk, or an entry of an archive. */
export interface HistoricalFile {
  /** The path, or `archive.tar/inner/name` for an archive's entry (what reports name). */
  name: string;
  /** Name, size and modification time: a file that changed is not taken for the one read before. */
  fingerprint: string;
  /** Modification time (epoch ms): the time of records whose file gives none. */
  mtime: number;
  /** Bytes on disk of a file that is not inside an archive (what skipping it saves reading). */
  diskSize?: number;
  /** Its bytes as stored (still compressed); an archive entry can be read once, in order. */
  bytes: AsyncIterable<Buffer>;
}

/** Whether a name (after its compression suffix) is a tar archive. */
export function isArchive(name: string): boolean {
  return /\.tar$/i.test(compressionOf(name).inner);
}

async function* entriesOf(archiveName: string, bytes: AsyncIterable<Buffer>): AsyncGenerator<HistoricalFile> {
  const { compression } = compressionOf(archiveName);
  const plain = compression === undefined ? bytes : decompress(compression, bytes, archiveName);
  for await (const entry of readTar(plain)) {
    const name = `${archiveName}/${entry.name}`;
    const file = {
      name,
      fingerprint: `${name}|${entry.size}|${entry.mtime}`,
      mtime: entry.mtime,
      bytes: entry.body,
    };
    if (isArchive(entry.name)) yield* entriesOf(name, entry.body);
    else yield file;
  }
}

/** Hidden files (.DS_Store, editors' swap files) and the backfill's own progress files are not data. */
const ignored = (name: string) => name.startsWith('.') || name.endsWith('.progress.json');

async function* walk(dir: string): AsyncGenerator<string> {
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => !ignored(e.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}

/**
 * Every historical file under `input`, in a stable order (names sorted, archives in their own
 * order), streamed: a folder is walked lazily and an archive is read as its entries are.
 * `input` is a file, a folder (recursively) or a tar archive (`.tar`, `.tar.gz`/`.tgz`,
 * `.tar.bz2`/`.tbz2`); archives found in a folder or inside an archive are opened too.
 */
export async function* historicalFiles(
  input: string,
  onDiskBytes: (n: number) => void = () => undefined,
): AsyncGenerator<HistoricalFile> {
  let info;
  try {
    info = await stat(input);
  } catch (err) {
    throw new OddsflowError('INPUT_UNREADABLE', `${input}: ${(err as Error).message}`, { cause: err });
  }
  const paths = info.isDirectory() ? walk(input) : [input];
  for await (const file of paths) {
    const { size, mtimeMs } = file === input ? info : await stat(file);
    // Opened on the first read only: a file skipped on resume costs no descriptor.
    const bytes = (async function* () {
      for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
        onDiskBytes(chunk.length);
        yield chunk;
      }
    })();
    if (isArchive(file)) yield* entriesOf(file, bytes);
    else
      yield {
        name: file,
        fingerprint: `${file}|${size}|${Math.trunc(mtimeMs)}`,
        mtime: Math.trunc(mtimeMs),
        bytes,
      };
  }
}

/** Bytes and files under `input`; files is null when an archive hides how many it holds. */
export async function measureInput(input: string): Promise<{ bytes: number; files: number | null }> {
  const info = await stat(input);
  const paths = info.isDirectory() ? walk(input) : [input];
  let bytes = 0;
  let files: number | null = 0;
  for await (const file of paths) {
    bytes += file === input ? info.size : (await stat(file)).size;
    files = isArchive(file) || files === null ? null : files + 1;
  }
  return { bytes, files };
}
