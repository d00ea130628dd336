import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  collectStreamFile,
  processStreamLines,
  readStreamFile,
  type StreamFileChunk,
} from '../../../../connectors/betfair/stream-file.js';
import { fixture, fixtureLines } from './helpers.js';

async function collect(chunks: AsyncIterable<StreamFileChunk>): Promise<StreamFileChunk[]> {
  const all: StreamFileChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oddsflow-betfair-file-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('stream files', () => {
  it('reads a CRLF recording into books and the result, receivedAt from the publish time', async () => {
    const { books, results, failures } = await collectStreamFile(fixture('greyhound-win.stream'), {
      receivedAt: 'publishTime',
    });
    expect(failures).toEqual([]);
    expect(books.map((b) => `${b.side}:${b.status}`)).toEqual([
      'back:OPEN',
      'lay:OPEN',
      'back:OPEN',
      'lay:OPEN',
      'back:SUSPENDED',
      'lay:SUSPENDED',
      'back:CLOSED',
      'lay:CLOSED',
    ]);
    expect(books.every((b) => b.receivedAt === b.eventTime)).toBe(true);
    expect(results.map((r) => r.runners.find((x) => x.status === 'WINNER')?.sourceSelectionId)).toEqual([
      '41000003',
    ]);
  });

  it('reads a gzipped real recording to its settlement', async () => {
    const { results, failures } = await collectStreamFile(fixture('1.200806927.gz'), {
      receivedAt: 'publishTime',
    });
    expect(failures).toEqual([]);
    expect(results[0]?.runners.find((r) => r.status === 'WINNER')?.sourceSelectionId).toBe('228749');
  });

  it('turns a bad line into a failure with its line number and carries on; blank lines are skipped', async () => {
    const lines = fixtureLines('greyhound-win.stream');
    const text = [
      lines[0],
      '',
      '{"op":"mcm","pt":1799942412345,"mc":[{"id":"1.238812345","rc":[{"id":41000003,',
      '{"op":"mcm","pt":1799942412345,"mc":[{"id":"1.238812345","rc":[{"id":"trap 3"}]}]}',
      ...lines.slice(1),
    ].join('\r\n');
    const chunks = await collect(readStreamFile(await tempFile('bad.stream', text)));
    const failures = chunks.flatMap((c) => c.failures.map((f) => [c.line, f.reasonCode, f.payload]));
    expect(failures).toEqual([
      [3, 'MALFORMED_JSON', expect.stringContaining('"id":41000003,')],
      [4, 'SCHEMA_MISMATCH', expect.stringContaining('trap 3')],
    ]);
    const results = chunks.flatMap((c) => c.results);
    expect(results).toHaveLength(1);
    expect(chunks.flatMap((c) => c.books)).toHaveLength(8);
  });

  it('resumes from a line: the cache is rebuilt from earlier lines, records come from that line on', async () => {
    const lines = fixtureLines('1.185781277.gz');
    const options = { receivedAt: 'publishTime' } as const;
    const full = await collect(processStreamLines(lines, options));
    const from = 5000;
    const resumed = await collect(processStreamLines(lines, { ...options, fromLine: from }));
    expect(resumed[0]!.line).toBeGreaterThanOrEqual(from);
    expect(resumed).toEqual(full.filter((c) => c.line >= from));
    expect(resumed.flatMap((c) => c.results)).toHaveLength(1);
  });

  it('reports an unreadable file as INPUT_UNREADABLE', async () => {
    await expect(collectStreamFile('/nonexistent/betfair.stream')).rejects.toMatchObject({
      code: 'INPUT_UNREADABLE',
      retriable: false,
    });
    const notGzip = await tempFile('broken.gz', 'not gzip at all');
    await expect(collectStreamFile(notGzip)).rejects.toMatchObject({ code: 'INPUT_UNREADABLE' });
  });
});
