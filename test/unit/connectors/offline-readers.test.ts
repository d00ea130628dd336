import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readProviderInput, type OfflineProvider } from '../../../connectors/offline-readers.js';
import type { RecordChunk } from '../../../connectors/file-readers.js';
import { fixture } from './betfair/helpers.js';

async function tempFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oddsflow-lines-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'input');
  await writeFile(path, text);
  return path;
}

async function read(provider: OfflineProvider, file: string, maxLineBytes: number): Promise<RecordChunk[]> {
  const chunks: RecordChunk[] = [];
  for await (const chunk of readProviderInput(provider, { file, receivedAt: 0, maxLineBytes }))
    chunks.push(chunk);
  return chunks;
}

/** A valid JSON line far over the limit: read whole, it would be parsed like any other. */
const hugeLine = JSON.stringify({ op: 'heartbeat', padding: 'x'.repeat(200_000) });

describe('replay and transform read lines of bounded length', () => {
  it('betfair: a line over the limit is a LINE_TOO_LONG failure with its head; the lines after it are read', async () => {
    const lines = (await readFile(fixture('greyhound-win.stream'), 'utf8')).split(/\r?\n/).filter(Boolean);
    const file = await tempFile([lines[0], hugeLine, ...lines.slice(1)].join('\n') + '\n');
    const chunks = await read('betfair', file, 64 * 1024);
    const failure = chunks.find((c) => c.position === 2)?.failures[0];
    expect(failure).toMatchObject({ reasonCode: 'LINE_TOO_LONG' });
    expect(failure!.errors[0]!.message).toContain(`line of ${hugeLine.length} bytes is over the limit`);
    expect(Buffer.byteLength(failure!.payload)).toBe(1024);
    // The recording goes on after the oversized line: its later changes still become books.
    expect(chunks.some((c) => c.position > 2 && c.books.length > 0)).toBe(true);
  });

  it('ws-json: the same, FRAME_TOO_LARGE', async () => {
    const file = await tempFile(`{"type":"hello"}\n${hugeLine}\n{"type":"bye"}`);
    const chunks = await read('ws-json', file, 64 * 1024);
    expect(chunks.map((c) => [c.position, c.failures.map((f) => f.reasonCode)])).toEqual([
      [2, ['FRAME_TOO_LARGE']],
    ]);
  });
});
