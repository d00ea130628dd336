import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { textLines } from '../../../connectors/historical/lines.js';
import type { InputProblem } from '../../../connectors/historical/problems.js';
import { readInputs, type InputChunk } from '../../../connectors/offline-readers.js';
import { packageRoot } from '../../../src/core/config/paths.js';
import { fixture } from '../connectors/betfair/helpers.js';

async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oddsflow-lines-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function read(file: string, format: 'betfair-stream' | 'ws-json', maxLineLength: number) {
  const problems: InputProblem[] = [];
  const chunks: InputChunk[] = [];
  for await (const chunk of readInputs({
    file,
    format,
    now: 0,
    maxLineLength,
    report: (p) => problems.push(p),
  }))
    chunks.push(chunk);
  return { chunks, problems };
}

async function* chunked(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

/** A valid JSON line far over the limit: read whole, it would be parsed like any other. */
const hugeLine = JSON.stringify({ op: 'heartbeat', padding: 'x'.repeat(200_000) });

describe('recorded files are read in lines of bounded length', () => {
  it('textLines skips a line over the limit as it streams in, keeping the numbering, even without a final break', async () => {
    const tooLong: number[] = [];
    const lines = await collect(
      textLines(chunked(`a\r\n${'y'.repeat(50)}\nb\n${'z'.repeat(70)}`, 7), {
        maxLineLength: 20,
        onTooLong: (n) => tooLong.push(n),
      }),
    );
    expect(lines).toEqual(['a', '', 'b', '']);
    expect(tooLong).toEqual([50, 70]);
  });

  it('betfair: a line over --max-line-length is reported (LINE_TOO_LONG, its line) and the file goes on', async () => {
    const lines = (await readFile(fixture('greyhound-win.stream'), 'utf8')).split(/\r?\n/).filter(Boolean);
    const file = await tempFile('x.stream', [lines[0], hugeLine, ...lines.slice(1)].join('\r\n') + '\r\n');
    const { chunks, problems } = await read(file, 'betfair-stream', 64 * 1024);
    expect(problems.map((p) => [p.line, p.code])).toEqual([[2, 'LINE_TOO_LONG']]);
    expect(problems[0]!.message).toContain(`${hugeLine.length + 1} characters`);
    expect(chunks.some((c) => c.position > 2 && c.books.length > 0)).toBe(true);
  });

  it('ws-json: the same', async () => {
    const frame = (
      await readFile(join(packageRoot, 'test/fixtures/ws-json/simulator.racing-win.json'), 'utf8')
    ).replace(/\n\s*/g, '');
    const file = await tempFile('feed.jsonl', `${frame}\n${hugeLine}\n${frame}\n`);
    const { chunks, problems } = await read(file, 'ws-json', 64 * 1024);
    expect(problems.map((p) => [p.line, p.code])).toEqual([[2, 'LINE_TOO_LONG']]);
    expect(chunks.filter((c) => c.books.length > 0).map((c) => c.position)).toEqual([1, 3]);
  });
});
