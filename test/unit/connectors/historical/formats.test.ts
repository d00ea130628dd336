import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../../connectors/historical/formats.js';
import { readHistoricalFile } from '../../../../connectors/historical/read.js';
import { fieldMappingSchema } from '../../../../connectors/ws-json/field-mapping.js';
import { simulatorFieldMapping } from '../../../../connectors/ws-json/simulator.js';

const wsMapping = fieldMappingSchema.parse(simulatorFieldMapping);
const betfairLine = '{"op":"mcm","clk":"1","pt":1627000000000,"mc":[]}';
const frame = '{"type":"odds","event":{"id":"e1"}}';

const detected = (name: string, first: string | undefined, mapped = true) =>
  detectFormat(name, first, mapped ? { wsMapping } : {})?.name;

describe('detectFormat (--format auto)', () => {
  it('tells a file by the suffix a format claims, compressed or not', () => {
    expect(detected('odds.json', '[')).toBe('the-odds-api');
    expect(detected('odds.JSON.gz', '[')).toBe('the-odds-api');
    expect(detected('dwbfpricesukwin01012024.csv', 'EVENT_ID,MENU_HINT')).toBe('betfair-bsp');
    expect(detected('prices.csv.bz2', 'EVENT_ID,MENU_HINT,EVENT_NAME,EVENT_DT,SELECTION_ID')).toBe(
      'betfair-bsp',
    );
  });

  it('asks a fallback format only when no other format of the suffix recognises the file', () => {
    expect(detected('book.csv', 'event_id,sport,market,bookmaker')).toBe('odds-csv');
    // Empty, with a suffix a format claims: that suffix's format, not the empty stream file.
    expect(detected('empty.csv', undefined)).toBe('odds-csv');
  });

  it('tells a file without a claimed suffix by its first line, Betfair messages before any JSON frame', () => {
    expect(detected('1.185781277', betfairLine)).toBe('betfair-stream');
    expect(detected('1.185781277.bz2', undefined)).toBe('betfair-stream');
    expect(detected('frames.log', frame)).toBe('ws-json');
    // Without a mapping no JSON line is a frame.
    expect(detected('frames.log', frame, false)).toBeUndefined();
    expect(detected('notes.txt', 'hello')).toBeUndefined();
  });
});

describe('readHistoricalFile with --format', () => {
  it('refuses a format no module declares before reading the file', async () => {
    let read = false;
    const bytes = (async function* () {
      read = true;
      yield Buffer.from(frame);
    })();
    const file = { name: 'frames.log', fingerprint: 'f', mtime: 0, bytes };
    const chunks = readHistoricalFile(file, { format: 'nope', fallbackTime: 0, report: () => undefined });
    await expect(chunks.next()).rejects.toThrow(/no format nope: one of .*ws-json/);
    expect(read).toBe(false);
  });
});
