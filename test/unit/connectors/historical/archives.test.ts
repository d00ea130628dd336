import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decompress } from '../../../../connectors/historical/decompress.js';
import type { InputProblem } from '../../../../connectors/historical/problems.js';
import { readHistoricalFile } from '../../../../connectors/historical/read.js';
import { historicalFiles } from '../../../../connectors/historical/sources.js';
import { readTar } from '../../../../connectors/historical/tar.js';
import { packageRoot } from '../../../../src/core/config/paths.js';
import { tarArchive } from '../../../../connectors/historical/tar-writer.js';

const fixtures = path.join(packageRoot, 'test/fixtures');
const bz2 = (market: string) => readFileSync(path.join(fixtures, `historical/${market}.bz2`));
const plain = (market: string) => gunzipSync(readFileSync(path.join(fixtures, `betfair/${market}.gz`)));

async function* chunksOf(buffer: Buffer, size = 7_919): AsyncGenerator<Buffer> {
  for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
}

async function collect(iterable: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of iterable) parts.push(part);
  return Buffer.concat(parts);
}

describe('bzip2', () => {
  it('decodes a real recording byte for byte, streamed in small chunks', async () => {
    const out = await collect(decompress('bz2', chunksOf(bz2('1.205822330')), 'x.bz2'));
    expect(out.equals(plain('1.205822330'))).toBe(true);
  });

  it('reads concatenated streams (pbzip2) whole', async () => {
    const twice = Buffer.concat([bz2('1.205822330'), bz2('1.205822330')]);
    const out = await collect(decompress('bz2', chunksOf(twice, 65_536), 'x.bz2'));
    expect(out.length).toBe(2 * plain('1.205822330').length);
  });

  it('fails a truncated stream as truncated, naming the file, after the bytes before the cut', async () => {
    const whole = bz2('1.185781277');
    const parts: Buffer[] = [];
    await expect(
      (async () => {
        for await (const part of decompress(
          'bz2',
          chunksOf(whole.subarray(0, whole.length - 5_000)),
          'cut.bz2',
        ))
          parts.push(part);
      })(),
    ).rejects.toMatchObject({
      code: 'INPUT_UNREADABLE',
      message: expect.stringMatching(/^cut\.bz2: bzip2 stream truncated/) as string,
    });
    const got = Buffer.concat(parts);
    expect(got.length).toBeGreaterThan(0);
    expect(plain('1.185781277').subarray(0, got.length).equals(got)).toBe(true);
  });
});

describe('tar', () => {
  it('streams the regular files of an archive in order, long names included', async () => {
    const long = `BASIC/2021/Jul/30/30738503/${'x'.repeat(90)}/1.185781277.bz2`;
    const archive = tarArchive([
      { name: 'a.txt', data: Buffer.from('hello\n') },
      { name: long, data: Buffer.alloc(1_500, 7) },
      { name: 'empty', data: Buffer.alloc(0) },
    ]);
    const seen: [string, number][] = [];
    for await (const entry of readTar(chunksOf(archive, 333))) {
      const body = await collect(entry.body);
      seen.push([entry.name, body.length]);
    }
    expect(seen).toEqual([
      ['a.txt', 6],
      [long, 1_500],
      ['empty', 0],
    ]);
  });

  it('skips what a reader leaves unread, and reports a cut inside an entry with its name', async () => {
    const archive = tarArchive([
      { name: 'first', data: Buffer.alloc(2_000, 1) },
      { name: 'second', data: Buffer.alloc(2_000, 2) },
    ]);
    const names: string[] = [];
    await expect(
      (async () => {
        for await (const entry of readTar(chunksOf(archive.subarray(0, 3_500)))) names.push(entry.name);
      })(),
    ).rejects.toMatchObject({ message: expect.stringMatching(/archive truncated inside second/) as string });
    expect(names).toEqual(['first', 'second']);
  });
});

describe('historical files', () => {
  const problemsOf = () => {
    const problems: InputProblem[] = [];
    return { problems, report: (p: InputProblem) => problems.push(p) };
  };

  it('reads a tar of bz2 markets (and a .tar.gz of it) as the plain recordings read', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'historical-'));
    const markets = ['1.185781277', '1.205822330'];
    const archive = tarArchive(markets.map((m) => ({ name: `BASIC/2021/${m}.bz2`, data: bz2(m) })));
    writeFileSync(path.join(dir, 'data.tar'), archive);
    writeFileSync(path.join(dir, 'data.tgz'), gzipSync(archive));
    for (const name of ['data.tar', 'data.tgz']) {
      const { problems, report } = problemsOf();
      const books = new Map<string, number>();
      for await (const file of historicalFiles(path.join(dir, name))) {
        let n = 0;
        for await (const chunk of readHistoricalFile(file, { format: 'auto', fallbackTime: 0, report }))
          n += chunk.books.length;
        books.set(path.basename(file.name), n);
      }
      expect(problems).toEqual([]);
      expect([...books.keys()]).toEqual(markets.map((m) => `${m}.bz2`));
      // The same books as the gzipped recording gives.
      for (const m of markets) {
        let expected = 0;
        const file = {
          name: `${m}.gz`,
          fingerprint: m,
          mtime: 0,
          bytes: chunksOf(readFileSync(path.join(fixtures, `betfair/${m}.gz`))),
        };
        for await (const chunk of readHistoricalFile(file, { format: 'auto', fallbackTime: 0, report }))
          expected += chunk.books.length;
        expect(books.get(`${m}.bz2`)).toBe(expected);
      }
    }
  });

  it('reports a truncated bz2 inside an archive with its file and line, keeps what came before it, and reads the next files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'historical-'));
    const whole = bz2('1.185781277');
    const archive = tarArchive([
      { name: 'a/1.185781277.bz2', data: whole.subarray(0, Math.floor(whole.length / 2)) },
      { name: 'b/1.205822330.bz2', data: bz2('1.205822330') },
    ]);
    writeFileSync(path.join(dir, 'cut.tar'), archive);
    const { problems, report } = problemsOf();
    const books = new Map<string, number>();
    for await (const file of historicalFiles(path.join(dir, 'cut.tar'))) {
      let n = 0;
      for await (const chunk of readHistoricalFile(file, { format: 'auto', fallbackTime: 0, report }))
        n += chunk.books.length;
      books.set(path.basename(file.name), n);
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      file: path.join(dir, 'cut.tar/a/1.185781277.bz2'),
      code: 'TRUNCATED',
    });
    expect(problems[0]!.line).toBeGreaterThan(100);
    expect(books.get('1.185781277.bz2')).toBeGreaterThan(0);
    expect(books.get('1.205822330.bz2')).toBeGreaterThan(1_000);
  });
});
