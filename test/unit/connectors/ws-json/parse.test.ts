import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fieldMappingSchema, type FieldMappingInput } from '../../../../connectors/ws-json/field-mapping.js';
import { toEpochMs } from '../../../../connectors/ws-json/field-reader.js';
import { parseFrame, type ParseOutcome } from '../../../../connectors/ws-json/parse.js';
import { simulatorFieldMapping } from '../../../../connectors/ws-json/simulator.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../fixtures/ws-json/${name}`, import.meta.url), 'utf8');
const receivedAt = Date.parse('2026-03-14T13:07:00.000Z');
const simMapping = fieldMappingSchema.parse(simulatorFieldMapping);
const parse = (frame: string, mapping = simMapping, provider = 'ws-json') =>
  parseFrame(frame, mapping, { provider, receivedAt });

function books(outcome: ParseOutcome) {
  if (outcome.kind !== 'books') throw new Error(`expected books, got ${JSON.stringify(outcome)}`);
  return outcome.books;
}
function failure(outcome: ParseOutcome) {
  if (outcome.kind !== 'failure') throw new Error(`expected a failure, got ${outcome.kind}`);
  return outcome.failure;
}

const racing = fixture('simulator.racing-win.json');
const racingJson = JSON.parse(racing) as {
  bookmaker: { format: string };
  outcomes: { price: unknown }[];
  event: Record<string, unknown>;
};
const variant = (edit: (frame: typeof racingJson) => void): string => {
  const copy = structuredClone(racingJson);
  edit(copy);
  return JSON.stringify(copy);
};

describe('parseFrame with the simulator mapping', () => {
  it('turns a frame into one RawMarketBook with prices as given', () => {
    const [book, ...rest] = books(parse(racing, simMapping, 'sim-feed'));
    expect(rest).toHaveLength(0);
    expect(book).toMatchObject({
      provider: 'sim-feed',
      sourceEventId: 'sim-horse_racing-12',
      sourceMarketId: 'sim-horse_racing-12:win',
      sport: 'horse_racing',
      competition: 'Towcester',
      eventName: 'Towcester R1',
      homeTeam: null,
      awayTeam: null,
      startTime: Date.parse('2026-03-14T13:07:00.800Z'),
      marketType: 'win',
      marketName: 'Win',
      bookmaker: 'crown-sports',
      side: 'back',
      status: 'OPEN',
      inPlay: false,
      numberOfPlaces: 1,
      priceFormat: 'fractional',
      eventTime: 1773493596000,
      receivedAt,
      payload: racing,
    });
    expect(book?.selections.map((s) => [s.sourceSelectionId, s.price, s.status])).toEqual([
      ['sim-horse_racing-12:r1', '5/1', 'ACTIVE'],
      ['sim-horse_racing-12:r2', '8/1', 'ACTIVE'],
      ['sim-horse_racing-12:r3', null, 'REMOVED'],
      ['sim-horse_racing-12:r4', '3/1', 'ACTIVE'],
      ['sim-horse_racing-12:r5', '21/20', 'ACTIVE'],
      ['sim-horse_racing-12:r6', '14/1', 'ACTIVE'],
    ]);
    expect(book?.selections[0]).toMatchObject({ name: 'Runner 1', point: null, size: null });
  });

  it.each([
    ['decimal', ['6.00', '9.00', null, '4.00', '2.05', '15.00'], 'decimal'],
    ['AMERICAN', ['+500', '+800', null, '+300', '-105', '+1400'], 'american'],
    ['fractional', ['5/1', '8/1', null, '3/1', '21/20', '14/1'], 'fractional'],
    ['HongKong', [5, 8, null, 3, 1.05, 14], 'hongkong'],
  ])('reads price format %s from the frame', (format, prices, expected) => {
    const frame = variant((f) => {
      f.bookmaker.format = format;
      f.outcomes.forEach((o, i) => (o.price = prices[i]));
    });
    const [book] = books(parse(frame));
    expect(book?.priceFormat).toBe(expected);
    expect(book?.selections.map((s) => s.price)).toEqual(prices.map((p) => (p === null ? null : String(p))));
  });

  it.each(['malay', 'indonesian'] as const)('takes a fixed %s format from the mapping', (format) => {
    const mapping = fieldMappingSchema.parse({
      ...simulatorFieldMapping,
      book: { ...simulatorFieldMapping.book, priceFormat: { const: format } },
    });
    const frame = variant((f) => (f.bookmaker.format = 'whatever the frame says'));
    expect(books(parse(frame, mapping))[0]?.priceFormat).toBe(format);
  });

  it('ignores frames the filter rejects (acks, heartbeats)', () => {
    expect(parse('{"type":"heartbeat","ts":1}')).toEqual({ kind: 'ignored' });
    expect(parse('{"type":"subscribed","sports":["soccer_epl"]}')).toEqual({ kind: 'ignored' });
    expect(parse('[1,2]')).toEqual({ kind: 'ignored' });
  });

  it('dead-letters unparseable JSON with the frame byte for byte', () => {
    const frame = Buffer.from(racing.slice(0, 200));
    const f = failure(parse(frame as unknown as string));
    expect(f.reasonCode).toBe('MALFORMED_JSON');
    expect(f.errors).toEqual([expect.objectContaining({ path: '$', code: 'MALFORMED_JSON' })]);
    expect(f.payload).toBe(frame);
  });

  it('reports every missing or mistyped field with its JSON path', () => {
    const frame = variant((f) => {
      delete f.event.id;
      f.event.sport = { key: 'horse_racing' };
      delete f.outcomes[1]?.price;
      f.event.startsAt = 'next tuesday';
      f.bookmaker.format = 'euro';
    });
    const f = failure(parse(frame));
    expect(f.provider).toBe('ws-json');
    expect(f.payload).toBe(frame);
    expect(f.reasonCode).toBe('MISSING_FIELD');
    expect(f.errors.map((e) => [e.path, e.code])).toEqual(
      expect.arrayContaining([
        ['$.event.id', 'MISSING_FIELD'],
        ['$.event.sport', 'INVALID_TYPE'],
        ['$.event.startsAt', 'INVALID_VALUE'],
        ['$.bookmaker.format', 'INVALID_VALUE'],
        ['$.outcomes[1].price', 'MISSING_FIELD'],
      ]),
    );
    expect(f.errors).toHaveLength(5);
  });

  it('accepts a scratched runner without a price key but not an active one', () => {
    const frame = variant((f) => delete f.outcomes[2]?.price);
    expect(books(parse(frame))[0]?.selections[2]?.price).toBeNull();
    const active = variant((f) => delete f.outcomes[0]?.price);
    expect(failure(parse(active)).errors).toEqual([expect.objectContaining({ path: '$.outcomes[0].price' })]);
  });

  it('requires the selections collection', () => {
    const frame = variant((f) => delete (f as { outcomes?: unknown }).outcomes);
    expect(failure(parse(frame)).errors).toEqual([
      expect.objectContaining({ path: '$.outcomes', code: 'MISSING_FIELD' }),
    ]);
  });
});

describe('parseFrame with a nested feed', () => {
  const asian: FieldMappingInput = {
    filter: [
      { path: 'msg', in: ['prices', 'snapshot'] },
      { path: 'events', exists: true },
    ],
    books: 'events[*].markets[*]',
    selections: 'odds[*]',
    timeFormat: 'auto',
    book: {
      eventId: '^.eid',
      eventName: '^.title',
      competition: '^.comp',
      startTime: '^.kick',
      inPlay: '^.live',
      sport: { const: 'soccer' },
      marketId: 'mid',
      marketType: 'type',
      bookmaker: '$.book',
      priceFormat: { const: 'hongkong' },
      status: { path: 'st', map: { o: 'OPEN', s: 'SUSPENDED', c: 'CLOSED' } },
      timestamp: '$.t',
    },
    selection: { id: '#', price: '@', point: '^.line' },
  };
  const mapping = fieldMappingSchema.parse(asian);
  const frame = fixture('asian-feed.prices.json');

  it('emits one book per market with the event read through ^ and ids from keys', () => {
    const result = books(parse(frame, mapping));
    expect(result.map((b) => [b.sourceEventId, b.sourceMarketId, b.status, b.inPlay])).toEqual([
      ['88121', '88121-1x2', 'OPEN', true],
      ['88121', '88121-ou2.5', 'SUSPENDED', true],
      ['88122', '88122-1x2', 'OPEN', false],
    ]);
    const [first, second] = result;
    expect(first).toMatchObject({
      eventName: 'Kitchee v Eastern',
      competition: 'HK Premier League',
      bookmaker: 'dragon-asia',
      priceFormat: 'hongkong',
      startTime: Date.parse('2026-03-14T11:30:00Z'),
      eventTime: 1773493600000,
    });
    expect(first?.selections.map((s) => [s.sourceSelectionId, s.price, s.point])).toEqual([
      ['1', '0.95', null],
      ['2', '2.75', null],
      ['X', '2.3', null],
    ]);
    expect(second?.selections.map((s) => [s.sourceSelectionId, s.price, s.point])).toEqual([
      ['over', '0.88', 2.5],
      ['under', '0.92', 2.5],
    ]);
    expect(JSON.parse(second?.payload ?? '')).toMatchObject({ mid: '88121-ou2.5' });
  });

  it('dead-letters the whole frame when one market is bad', () => {
    const broken = frame.replace('"st": "s"', '"st": "x"');
    const f = failure(parse(broken, mapping));
    expect(f.errors.map((e) => [e.path, e.code])).toEqual([['$.events[0].markets[1].st', 'INVALID_VALUE']]);
    expect(f.errors[0]?.message).toContain('"x"');
  });

  it('uses the arrival time when the mapping has no timestamp', () => {
    const noTime = fieldMappingSchema.parse({ ...asian, book: { ...asian.book, timestamp: undefined } });
    expect(books(parse(frame, noTime)).map((b) => b.eventTime)).toEqual([receivedAt, receivedAt, receivedAt]);
  });
});

describe('fieldMappingSchema', () => {
  it('rejects a filter condition with no or several tests', () => {
    const issues = (filter: unknown) =>
      fieldMappingSchema.safeParse({ ...simulatorFieldMapping, filter }).error?.issues.map((i) => i.message);
    expect(issues([{ path: 'type' }])).toEqual(['give exactly one of equals, in, exists']);
    expect(issues([{ path: 'type', equals: 'odds', exists: true }])).toEqual([
      'give exactly one of equals, in, exists',
    ]);
    expect(issues([{ path: 'type', exists: false }])).toBeUndefined();
  });

  it('rejects unknown keys, bad paths and wildcards in field paths, naming each', () => {
    const result = fieldMappingSchema.safeParse({
      ...simulatorFieldMapping,
      selections: 'outcomes[',
      book: { ...simulatorFieldMapping.book, eventId: 'events[*].id', colour: 'red' },
    });
    expect(result.success).toBe(false);
    const issues = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^selections: .*outcomes\[/),
        expect.stringMatching(/^book: Unrecognized key: "colour"/),
      ]),
    );
    expect(issues).toContain('book.eventId: "events[*].id": a field path cannot contain [*]');
  });
});

describe('toEpochMs', () => {
  it.each([
    [1773493600, 'auto', 1773493600000],
    [1773493600123, 'auto', 1773493600123],
    ['1773493600', 'auto', 1773493600000],
    ['2026-03-14T13:06:40Z', 'auto', 1773493600000],
    [1773493600, 'epoch-ms', 1773493600],
    [1773493600.5, 'epoch-s', 1773493600500],
    ['2026-03-14T13:06:40.000+00:00', 'iso', 1773493600000],
    [1773493600, 'iso', null],
    ['soon', 'auto', null],
    [true, 'auto', null],
  ] as const)('%s as %s → %s', (value, format, expected) => {
    expect(toEpochMs(value, format)).toBe(expected);
  });
});
