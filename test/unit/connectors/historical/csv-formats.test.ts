import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputs, type InputChunk } from '../../../../connectors/offline-readers.js';
import { parseEventDate, venueOf } from '../../../../connectors/betfair/bsp-file.js';
import type { InputProblem } from '../../../../connectors/historical/problems.js';
import { packageRoot } from '../../../../src/core/config/paths.js';

const fixtures = path.join(packageRoot, 'test/fixtures/historical');

async function read(file: string, extra: Partial<Parameters<typeof readInputs>[0]> = {}) {
  const problems: InputProblem[] = [];
  const chunks: InputChunk[] = [];
  for await (const chunk of readInputs({
    file,
    format: 'auto',
    now: 0,
    report: (p) => problems.push(p),
    ...extra,
  }))
    chunks.push(chunk);
  return {
    problems,
    chunks,
    books: chunks.flatMap((c) => c.books),
    results: chunks.flatMap((c) => c.results),
    failures: chunks.flatMap((c) => c.failures),
  };
}

function temp(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'csv-')), name);
  writeFileSync(file, text);
  return file;
}

describe("Betfair's BSP CSV", () => {
  it('gives one book of starting prices at the off and the result, per market', async () => {
    const { books, results, problems } = await read(path.join(fixtures, 'dwbfpricesauswin30072021.csv'));
    expect(problems).toEqual([]);
    expect(books).toHaveLength(1);
    expect(books[0]).toMatchObject({
      provider: 'betfair-bsp',
      bookmaker: 'betfair-sp',
      sourceMarketId: '1.185781277',
      sport: '7',
      venue: 'Lismore (AUS)',
      marketType: 'WIN',
      // 06:44 UK summer time is 05:44 UTC, the recording's marketTime.
      startTime: Date.parse('2021-07-30T05:44:00Z'),
      eventTime: Date.parse('2021-07-30T05:44:00Z'),
    });
    expect(books[0]!.selections.find((s) => s.sourceSelectionId === '40364042')?.price).toBe('4.1');
    expect(results).toHaveLength(1);
    expect(results[0]!.runners.filter((r) => r.status === 'WINNER').map((r) => r.sourceSelectionId)).toEqual([
      '40364042',
    ]);
    expect(results[0]!.runners.find((r) => r.sourceSelectionId === '40364042')?.bsp).toBe(4.1);
  });

  it('reads the time in the file’s zone and the venue from the menu hint', () => {
    expect(parseEventDate('01-01-2021 12:15', 'Europe/London')).toBe(Date.parse('2021-01-01T12:15:00Z'));
    expect(parseEventDate('01-07-2021 12:15', 'Europe/London')).toBe(Date.parse('2021-07-01T11:15:00Z'));
    expect(venueOf('UK / Kempton 1st Jan')).toBe('Kempton');
    expect(venueOf('GB / Romford 22nd Mar')).toBe('Romford');
  });

  it('reports missing columns with the file and line and skips the file; a short row is dead-lettered with its line', async () => {
    const missing = temp(
      'dwbfpricesukwin01012021.csv',
      'EVENT_ID,MENU_HINT,EVENT_DT,SELECTION_ID,SELECTION_NAME\n1,a,b,c,d\n',
    );
    const a = await read(missing);
    expect(a.problems).toEqual([
      {
        file: missing,
        line: 1,
        code: 'MISSING_COLUMNS',
        message: expect.stringMatching(/no EVENT_NAME, WIN_LOSE, BSP columns/) as string,
      },
    ]);
    expect(a.chunks).toEqual([]);
    const header = 'EVENT_ID,MENU_HINT,EVENT_NAME,EVENT_DT,SELECTION_ID,SELECTION_NAME,WIN_LOSE,BSP';
    const short = temp(
      'dwbfpricesukwin02012021.csv',
      `${header}\n9,UK / Ascot 2nd Jan,1m Hcap,02-01-2021 13:00,1,A,1,3.5\n9,UK / Ascot 2nd Jan,1m Hcap\n9,UK / Ascot 2nd Jan,1m Hcap,02-01-2021 13:00,2,B,0,2.5\n`,
    );
    const b = await read(short);
    expect(b.failures).toHaveLength(1);
    expect(b.failures[0]!.errors[0]!.path).toBe(`${short}:3`);
    expect(b.books[0]!.selections.map((s) => s.name)).toEqual(['A', 'B']);
  });
});

describe('generic odds CSV', () => {
  it('groups consecutive rows into books by the default columns', async () => {
    const { books, problems } = await read(path.join(fixtures, 'softbook-place.csv'));
    expect(problems).toEqual([]);
    expect(books).toHaveLength(3);
    expect(books.map((b) => b.selections.length)).toEqual([14, 14, 14]);
    expect(books[1]).toMatchObject({
      provider: 'csv',
      bookmaker: 'softbook',
      marketType: 'PLACE',
      numberOfPlaces: 3,
      venue: 'Sunshine Coast',
    });
    expect(books[1]!.eventTime).toBe(Date.parse('2022-11-01T01:44:00Z'));
    expect(books[1]!.receivedAt).toBe(books[1]!.eventTime);
  });

  it('maps other column names, constants and codes like a ws-json mapping', async () => {
    const file = temp(
      'odds.csv',
      'Match,When,Book,Outcome,Odds,Kickoff\nArsenal v Chelsea,1700000000,pin,Arsenal,2.1,1700003600\nArsenal v Chelsea,1700000000,pin,Chelsea,3.4,1700003600\n',
    );
    const mappingFile = temp(
      'mapping.json',
      JSON.stringify({
        book: {
          eventId: 'Match',
          eventName: 'Match',
          sport: { const: 'soccer' },
          marketId: { const: 'h2h' },
          marketType: { const: 'h2h' },
          bookmaker: { column: 'Book', map: { pin: 'pinnacle' } },
          priceFormat: { const: 'decimal' },
          timestamp: 'When',
          startTime: 'Kickoff',
        },
        selection: { id: 'Outcome', name: 'Outcome', price: 'Odds' },
      }),
    );
    const { books, problems } = await read(file, { csvMappingFile: mappingFile, provider: 'acme' });
    expect(problems).toEqual([]);
    expect(books).toEqual([
      expect.objectContaining({
        provider: 'acme',
        bookmaker: 'pinnacle',
        eventTime: 1_700_000_000_000,
        startTime: 1_700_003_600_000,
        selections: [expect.objectContaining({ price: '2.1' }), expect.objectContaining({ price: '3.4' })],
      }),
    ]);
  });

  it('reports missing columns, dead-letters a bad book whole with its lines, and reports times going backwards', async () => {
    const missing = temp('a.csv', 'event_id,sport,market,bookmaker,timestamp,selection_id\n');
    expect((await read(missing)).problems).toEqual([
      { file: missing, line: 1, code: 'MISSING_COLUMNS', message: 'no price column: the file is skipped' },
    ]);
    const header = 'event_id,sport,market,bookmaker,timestamp,selection_id,price';
    const rows = [
      'e1,soccer,h2h,b1,2024-01-01T10:00:00Z,home,2.0',
      'e1,soccer,h2h,b1,2024-01-01T10:00:00Z,away,1.9',
      'e1,soccer,h2h,b1,2024-01-01T10:05:00Z,home,2.1',
      'e1,soccer,h2h,b1,2024-01-01T10:06:00Z,home,2.1',
      'e1,soccer,h2h,b1,2024-01-01T10:06:00Z,,1.8',
      'e1,soccer,h2h,b1,2024-01-01T10:02:00Z,home,2.2',
    ];
    const file = temp('b.csv', [header, ...rows].join('\n'));
    const { books, failures, problems } = await read(file);
    expect(books.map((b) => new Date(b.eventTime).toISOString().slice(11, 16))).toEqual([
      '10:00',
      '10:05',
      '10:02',
    ]);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.errors.map((e) => e.path)).toEqual([
      expect.stringMatching(new RegExp(`^${file}:6 `)) as string,
    ]);
    expect(failures[0]!.payload).toContain('10:06:00Z,home,2.1');
    expect(problems).toEqual([expect.objectContaining({ file, line: 7, code: 'OUT_OF_ORDER' })]);
  });
});
