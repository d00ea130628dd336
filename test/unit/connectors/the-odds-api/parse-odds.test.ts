import { describe, expect, it } from 'vitest';
import { parseOddsBody, type OddsFormat } from '../../../../connectors/the-odds-api/parse-odds.js';
import { fixture } from './fixtures.js';
import { noExchangeData } from '../../../../connectors/contract.js';

const receivedAt = Date.parse('2030-01-01T00:00:00Z');

function parse(name: string, oddsFormat: OddsFormat) {
  return parseOddsBody(fixture(name), { oddsFormat, receivedAt });
}

describe('parseOddsBody on every recorded response', () => {
  // Counts taken from the files: one book per event × bookmaker × market; *_lay markets are lay.
  const cases: Array<[string, OddsFormat, number, number]> = [
    ['oddsapi_americanfootball_nfl_inplay_spreads_totals_decimal_unixdates.json', 'decimal', 43, 0],
    ['oddsapi_americanfootball_nfl_spreads_totals_decimal_unixdates.json', 'decimal', 479, 0],
    ['oddsapi_baseball_mlb_world_series_outrights_outrightslay_decimal.json', 'decimal', 3, 1],
    ['oddsapi_basketball_nba_h2h_spreads_totals_h2hlay_american.json', 'american', 437, 10],
    ['oddsapi_golf_masters_outrights_outrightslay_decimal.json', 'decimal', 5, 1],
    ['oddsapi_soccer_italy_serie_a_h2h_h2hlay_decimal.json', 'decimal', 176, 12],
    ['oddsapi_soccer_multileague_inplay_h2h_h2hlay_decimal.json', 'decimal', 286, 38],
    ['oddsapi_upcoming_multisport_inplay_h2h_american.json', 'american', 190, 0],
    ['sample_odds_basketball_nba_decimal.json', 'decimal', 3, 0],
  ];

  it.each(cases)('%s → %i books, %i lay, no failures', (name, format, bookCount, layCount) => {
    const { books, failures } = parse(name, format);
    expect(failures).toEqual([]);
    expect(books).toHaveLength(bookCount);
    expect(books.filter((b) => b.side === 'lay')).toHaveLength(layCount);
    for (const book of books) {
      expect(book.side).toBe(book.marketType.endsWith('_lay') ? 'lay' : 'back');
      expect(book.priceFormat).toBe(format);
      expect(book.sourceMarketId).toBe(book.marketType);
      expect(book.provider).toBe('the-odds-api');
      expect(Number.isFinite(book.eventTime)).toBe(true);
      expect(book.selections.length).toBeGreaterThan(0);
    }
  });

  it('keeps American prices as given, signs and all, with no "+" added', () => {
    const { books } = parse('oddsapi_upcoming_multisport_inplay_h2h_american.json', 'american');
    const prices = books.flatMap((b) => b.selections.map((s) => s.price));
    expect(prices).toContain('-10000');
    expect(prices).toContain('2200');
    expect(prices.every((p) => p !== null && /^-?\d+$/.test(p))).toBe(true);
    const first = books.find(
      (b) => b.sourceEventId === '493be33adaa7bfb70e7388afb4e1867e' && b.bookmaker === 'betmgm',
    );
    expect(first?.selections.map((s) => [s.name, s.price])).toEqual([
      ['Mississippi St Bulldogs', '-160'],
      ['Samford Bulldogs', '115'],
    ]);
  });

  it('normalises unix-second dates to epoch ms and falls back to the bookmaker last_update', () => {
    const { books } = parse('oddsapi_americanfootball_nfl_spreads_totals_decimal_unixdates.json', 'decimal');
    const unibet = books.find(
      (b) => b.sourceEventId === '5ebcd103baf35f33f02cc962eacd26b6' && b.bookmaker === 'unibet',
    );
    expect(unibet?.startTime).toBe(1638494400_000);
    // No market last_update in this file: the bookmaker's stands in.
    expect(unibet?.eventTime).toBe(1638331675_000);
    expect(unibet?.inPlay).toBe(false);
    expect(unibet?.selections[0]).toEqual({
      sourceSelectionId: 'Dallas Cowboys',
      name: 'Dallas Cowboys',
      price: '1.88',
      point: -4,
      size: null,
      status: 'ACTIVE',
      ...noExchangeData(),
    });
  });

  it('marks books in play by their own time, not the clock, and skips events without bookmakers', () => {
    const { books } = parse(
      'oddsapi_americanfootball_nfl_inplay_spreads_totals_decimal_unixdates.json',
      'decimal',
    );
    const packers = books.filter((b) => b.sourceEventId === 'e6b414e1b7a012e57d1a0746769f28a2');
    expect(packers.map((b) => b.marketType)).toEqual(['spreads', 'totals']);
    expect(packers.every((b) => b.inPlay && b.eventTime === 1732854333_000)).toBe(true);
    const eventsWithBooks = new Set(books.map((b) => b.sourceEventId));
    expect(eventsWithBooks.size).toBe(22); // 24 events, 2 of them with bookmakers: []
  });

  it('keeps outrights with null teams, 1.01 and 1000, and lay prices, and names the event after the tournament', () => {
    const { books } = parse('oddsapi_golf_masters_outrights_outrightslay_decimal.json', 'decimal');
    const lay = books.find((b) => b.marketType === 'outrights_lay');
    expect(lay?.side).toBe('lay');
    expect(lay?.homeTeam).toBeNull();
    expect(lay?.eventName).toBe('Masters Tournament Winner');
    expect(books.flatMap((b) => b.selections.map((s) => s.price))).toContain('1000');
    const mlb = parse('oddsapi_baseball_mlb_world_series_outrights_outrightslay_decimal.json', 'decimal');
    expect(mlb.books.flatMap((b) => b.selections.map((s) => s.price))).toContain('1.01');
  });

  it('passes a price of 1.0 through unjudged: the odds range is the validate stage’s rule', () => {
    const { books } = parse('oddsapi_soccer_multileague_inplay_h2h_h2hlay_decimal.json', 'decimal');
    const nordic = books.find(
      (b) => b.sourceEventId === '273fd57d31d447da8c558b7a7f513579' && b.bookmaker === 'nordicbet',
    );
    expect(nordic?.selections[0]?.price).toBe('1');
  });

  it('keeps non-ASCII names and drops fields a client added, while the payload keeps them for audit', () => {
    const soccer = parse('oddsapi_soccer_multileague_inplay_h2h_h2hlay_decimal.json', 'decimal');
    expect(soccer.books.some((b) => b.awayTeam === 'Bodø/Glimt')).toBe(true);
    const nba = parse('oddsapi_basketball_nba_h2h_spreads_totals_h2hlay_american.json', 'american');
    const book = nba.books[0];
    expect(book).toBeDefined();
    expect(Object.keys(book!)).not.toContain('odds');
    const payload = JSON.parse(book!.payload) as Record<string, unknown>;
    expect(payload).toHaveProperty('startTime');
    expect(payload).toHaveProperty('bookmakers.0.markets.0.key', book!.marketType);
    expect((payload.bookmakers as unknown[]).length).toBe(1);
  });

  it('gives each book a payload, the event cut down to that market, that parses back to exactly that book', () => {
    const { books } = parse('sample_odds_basketball_nba_decimal.json', 'decimal');
    for (const book of books) {
      const again = parseOddsBody(`[${book.payload}]`, { oddsFormat: 'decimal', receivedAt });
      expect(again.books).toEqual([book]);
    }
  });
});

describe('parseOddsBody on malformed input', () => {
  it('turns each malformed event, bookmaker or market into a failure with every issue and path, and parses the rest', () => {
    const { books, failures } = parse('handmade_odds_invalid_records.json', 'decimal');
    expect(books.map((b) => `${b.bookmaker}/${b.marketType}`)).toEqual([
      'draftkings/h2h',
      'draftkings/spreads',
      'fanduel/totals',
      'betmgm/h2h',
      'betfair_ex_uk/outrights_lay',
    ]);
    expect(failures.map((f) => f.errors.map((e) => e.path))).toEqual([
      ['[0].bookmakers[1].markets[0].outcomes[1].price'],
      ['[1].id', '[1].commence_time'],
      ['[2].bookmakers[0].key'],
    ]);
    expect(failures.every((f) => f.reasonCode === 'SCHEMA' && f.provider === 'the-odds-api')).toBe(true);
    expect(failures[0]?.errors[0]).toMatchObject({ code: 'invalid_type' });
    expect(failures[0]?.errors[0]?.message).toMatch(/number/);
    const payload = JSON.parse(String(failures[0]?.payload)) as {
      id: string;
      bookmakers: Array<{ key: string }>;
    };
    expect(payload.id).toBe('e4b7c1f0a9d34c2b8f6a1d2c3b4a5f60');
    expect(payload.bookmakers[0]?.key).toBe('fanduel');
    const betmgm = books.find((b) => b.bookmaker === 'betmgm');
    // Unix seconds, and the bookmaker time when the market has none.
    expect(betmgm?.startTime).toBe(1799999999_000);
    expect(betmgm?.eventTime).toBe(1799990000_000);
  });

  it('dead-letters a body that is not JSON as one failure holding the body byte for byte', () => {
    const body = '[{"id": "abc", "sport_key": "basketb';
    const { books, failures } = parseOddsBody(body, { oddsFormat: 'decimal', receivedAt });
    expect(books).toEqual([]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ reasonCode: 'MALFORMED_JSON', payload: body });
  });

  it('rejects a top level that is not an array', () => {
    const { failures } = parseOddsBody('{"message":"hello"}', { oddsFormat: 'decimal', receivedAt });
    expect(failures[0]?.errors[0]).toMatchObject({ path: '', code: 'invalid_type' });
  });

  it('uses the response time when neither market nor bookmaker has a last_update', () => {
    const body = JSON.stringify([
      {
        id: 'x1',
        sport_key: 'soccer_epl',
        commence_time: '2031-01-01T15:00:00Z',
        home_team: 'A',
        away_team: 'B',
        bookmakers: [{ key: 'b1', markets: [{ key: 'h2h', outcomes: [{ name: 'A', price: 2 }] }] }],
      },
    ]);
    const { books } = parseOddsBody(body, { oddsFormat: 'decimal', receivedAt });
    expect(books[0]?.eventTime).toBe(receivedAt);
    expect(books[0]?.competition).toBeNull();
  });
});
