import { beforeAll, describe, expect, it } from 'vitest';
import {
  bundledAliasFiles,
  loadAliasTables,
  type AliasTables,
} from '../../../../processors/normalize/aliases.js';
import {
  createNormalizeBookState,
  normalizeBook,
  type BookOutcome,
  type NormalizeBookOptions,
} from '../../../../processors/normalize/normalize-book.js';
import type { MarketBook } from '../../../../src/core/generated/avro-types.js';
import {
  betfairBook,
  betfairMessages,
  oddsApiBooks,
  oddsApiEvents,
  rawBook,
  selection,
} from './raw-records.js';
import { bookExtras, selectionExtras } from '../../../helpers/record-defaults.js';

const NOW = Date.parse('2030-01-01T00:00:00Z');
let options: NormalizeBookOptions;
beforeAll(async () => {
  const aliases: AliasTables = await loadAliasTables(bundledAliasFiles);
  options = { aliases, now: () => NOW };
});

function bookOf(outcome: BookOutcome): MarketBook {
  if (outcome.kind !== 'book') throw new Error(`expected a book, got ${JSON.stringify(outcome)}`);
  return outcome.book;
}

describe('normalizeBook', () => {
  it('turns a raw book into a MarketBook with decimal odds and canonical ids', () => {
    const raw = rawBook({
      homeTeam: 'LA Lakers',
      awayTeam: 'Boston Celtics',
      priceFormat: 'american',
      selections: [selection('L.A. Lakers', '+150'), selection('Boston Celtics', '-125', { size: 10 })],
    });
    const book = bookOf(normalizeBook(raw, options, createNormalizeBookState()));
    expect(book).toEqual({
      eventId: 'basketball/2027-01-15/boston-celtics~los-angeles-lakers',
      marketId: 'H2H',
      marketType: 'H2H',
      line: null,
      sport: 'basketball-nba',
      competition: null,
      eventName: null,
      startTime: raw.startTime,
      provider: 'the-odds-api',
      bookmaker: 'draftkings',
      side: 'back',
      status: 'OPEN',
      inPlay: false,
      numberOfPlaces: null,
      selections: [
        {
          selectionId: 'los-angeles-lakers',
          name: 'Los Angeles Lakers',
          decimalOdds: 2.5,
          point: null,
          size: null,
          status: 'ACTIVE',
          ...selectionExtras('L.A. Lakers'),
        },
        {
          selectionId: 'boston-celtics',
          name: 'Boston Celtics',
          decimalOdds: 1.8,
          point: null,
          size: 10,
          status: 'ACTIVE',
          ...selectionExtras('Boston Celtics'),
        },
      ],
      sourceEventId: 'e1',
      sourceMarketId: 'h2h',
      eventTime: raw.eventTime,
      receivedAt: raw.receivedAt,
      processedAt: NOW,
      contentHash: expect.stringMatching(/^[0-9a-f]{32}$/u) as string,
      ...bookExtras,
    });
  });

  it('rejects at validate with every issue and the first as reason, or at normalize for a bad line', () => {
    const state = createNormalizeBookState();
    const invalid = rawBook({ selections: [selection('A', '1.0'), selection('B', 'x')] });
    expect(normalizeBook(invalid, options, state)).toEqual({
      kind: 'rejected',
      stage: 'validate',
      reasonCode: 'ODDS_OUT_OF_RANGE',
      errors: [
        expect.objectContaining({ path: 'selections[0].price', code: 'ODDS_OUT_OF_RANGE' }),
        expect.objectContaining({ path: 'selections[1].price', code: 'INVALID_PRICE' }),
      ],
    });
    const mismatched = rawBook({
      marketType: 'totals',
      selections: [selection('Over', '1.9', { point: 220.5 }), selection('Under', '1.9', { point: 221.5 })],
    });
    expect(normalizeBook(mismatched, options, state)).toMatchObject({
      kind: 'rejected',
      stage: 'normalize',
      reasonCode: 'LINE_MISMATCH',
    });
    expect(normalizeBook({}, options, state)).toMatchObject({
      kind: 'rejected',
      stage: 'validate',
      reasonCode: 'SCHEMA',
    });
  });

  it('drops a repeated identical book, but not a changed price, status or a change back', () => {
    const state = createNormalizeBookState();
    const a = rawBook();
    const b = rawBook({ selections: [selection('Boston Celtics', '1.31'), selection('Miami Heat', '3.60')] });
    const run = (raw: typeof a) =>
      normalizeBook({ ...raw, eventTime: raw.eventTime + 1000 }, options, state).kind;
    expect([
      run(a),
      run(a),
      run(b),
      run(a),
      run({ ...a, status: 'SUSPENDED' }),
      run({ ...a, status: 'SUSPENDED' }),
    ]).toEqual(['book', 'duplicate', 'book', 'book', 'book', 'duplicate']);
    expect(normalizeBook({ ...a, bookmaker: 'fanduel' }, options, state).kind).toBe('book');
    expect(normalizeBook({ ...a, side: 'lay' }, options, state).kind).toBe('book');
  });

  it('hashes content, not the provider’s selection order or timestamps', () => {
    const a = bookOf(normalizeBook(rawBook(), options, createNormalizeBookState()));
    const reordered = rawBook({
      selections: [...rawBook().selections].reverse(),
      eventTime: 1,
      receivedAt: 2,
    });
    const b = bookOf(normalizeBook({ ...reordered, startTime: null }, options, createNormalizeBookState()));
    expect(b.contentHash).toBe(a.contentHash);
  });

  it('keeps dedupe memory bounded: a forgotten key’s repeat passes again', () => {
    const state = createNormalizeBookState({ dedupeKeys: 2 });
    const books = ['b1', 'b2', 'b3'].map((bookmaker) => rawBook({ bookmaker }));
    const kinds = [...books, books[0]!].map((raw) => normalizeBook(raw, options, state).kind);
    expect(kinds).toEqual(['book', 'book', 'book', 'book']);
    expect(state.dedupe.size).toBe(2);
    expect(normalizeBook(books[2]!, options, state).kind).toBe('duplicate');
  });

  it('flags a crossed book from the back and lay books of one market and bookmaker', () => {
    const state = createNormalizeBookState();
    const back = rawBook({
      provider: 'betfair',
      bookmaker: 'betfair',
      selections: [selection('Boston Celtics', '1.5'), selection('Miami Heat', '3.2')],
    });
    const lay = {
      ...back,
      side: 'lay',
      selections: [selection('Boston Celtics', '1.45'), selection('Miami Heat', '3.3')],
    };
    expect(normalizeBook(back, options, state).kind).toBe('book');
    expect(normalizeBook(lay, options, state)).toMatchObject({
      kind: 'rejected',
      stage: 'validate',
      reasonCode: 'CROSSED_BOOK',
      errors: [{ path: 'selections[0].price', code: 'CROSSED_BOOK' }],
    });
  });

  it('normalizes real recorded books; Betfair back and lay ladders are not crossed', () => {
    const state = createNormalizeBookState();
    const recorded = [
      ...oddsApiBooks(oddsApiEvents('oddsapi-nba-american.first-event.json'), 'american'),
      ...oddsApiBooks(oddsApiEvents('oddsapi-serie-a-decimal.first-event.json'), 'decimal'),
      ...betfairMessages('betfair-1.185781277.first-last.jsonl').flatMap((m) => [
        betfairBook(m, 'back'),
        betfairBook(m, 'lay'),
      ]),
    ];
    const outcomes = recorded.map((raw) => normalizeBook(raw, options, state));
    expect(outcomes.filter((o) => o.kind === 'rejected')).toEqual([]);
    const books = outcomes.filter((o) => o.kind === 'book').map((o) => o.book);
    const nbaH2h = books.filter(
      (b) => b.sport === 'basketball-nba' && b.marketId === 'H2H' && b.side === 'back',
    );
    expect(new Set(nbaH2h.map((b) => b.eventId))).toEqual(
      new Set(['basketball/2022-11-23/brooklyn-nets~philadelphia-76ers']),
    );
    expect(nbaH2h.length).toBeGreaterThan(5);
    const layBook = books.find((b) => b.sport === 'soccer-italy-serie-a' && b.side === 'lay');
    expect(layBook).toMatchObject({ bookmaker: 'betfair', marketId: 'H2H_3WAY' });
    const race = books.find((b) => b.provider === 'betfair' && b.side === 'lay' && b.status === 'OPEN');
    expect(race?.selections.filter((s) => s.status === 'REMOVED').every((s) => s.decimalOdds === null)).toBe(
      true,
    );
    expect(race?.selections.filter((s) => s.decimalOdds !== null).length).toBeGreaterThan(10);
  });
});
