import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bundledAliasFiles,
  loadAliasTables,
  type AliasTables,
} from '../../../../processors/normalize/aliases.js';
import { canonicalBookIds, canonicalResultIds } from '../../../../processors/normalize/canonical-ids.js';
import { canonicalEvent, raceNumberFromMarketName } from '../../../../processors/normalize/event-id.js';
import { canonicalSport } from '../../../../processors/normalize/sports.js';
import {
  betfairBook,
  betfairMessages,
  betfairResult,
  oddsApiBooks,
  oddsApiEvents,
  rawBook,
  rawResult,
  selection,
} from './raw-records.js';

let aliases: AliasTables;
beforeAll(async () => {
  aliases = await loadAliasTables(bundledAliasFiles);
});

function idsOf(book: Parameters<typeof canonicalBookIds>[0]) {
  const ids = canonicalBookIds(book, { aliases });
  if (!ids.ok) throw new Error(JSON.stringify(ids.issues));
  return ids.ids;
}

describe('canonicalSport', () => {
  it.each([
    ['basketball_nba', 'basketball-nba', 'basketball'],
    ['americanfootball_nfl', 'americanfootball-nfl', 'american-football'],
    ['soccer_italy_serie_a', 'soccer-italy-serie-a', 'soccer'],
    ['icehockey_sweden_allsvenskan', 'icehockey-sweden-allsvenskan', 'ice-hockey'],
    ['7', 'horse-racing', 'horse-racing'],
    ['4339', 'greyhound-racing', 'greyhound-racing'],
    ['4', 'cricket', 'cricket'],
    ['1', 'soccer', 'soccer'],
    ['99999', 'event-type-99999', 'event-type-99999'],
    ['Horse Racing', 'horse-racing', 'horse-racing'],
    ['Greyhounds', 'greyhound-racing', 'greyhound-racing'],
    ['Ice Hockey', 'ice-hockey', 'ice-hockey'],
  ])('%j → %s (family %s)', (key, sport, family) => {
    expect(canonicalSport(key)).toEqual({ sport, family });
  });
});

describe('event ids', () => {
  it('name a team event by sport family, UTC date and both teams, in either order', () => {
    const a = idsOf(rawBook());
    const b = idsOf(rawBook({ homeTeam: 'Miami Heat', awayTeam: 'Boston Celtics', bookmaker: 'fanduel' }));
    expect(a.event.eventId).toBe('basketball/2027-01-15/boston-celtics~miami-heat');
    expect(b.event.eventId).toBe(a.event.eventId);
  });

  it('give the same id to the same match from Betfair (event name, type 1) and The Odds API (aliases)', () => {
    const oddsApi = rawBook({
      sport: 'soccer_epl',
      homeTeam: 'Manchester United',
      awayTeam: 'Brighton and Hove Albion',
    });
    const betfair = rawBook({
      provider: 'betfair',
      sport: '1',
      homeTeam: null,
      awayTeam: null,
      eventName: 'Man Utd v Brighton',
      marketType: 'MATCH_ODDS',
      startTime: (oddsApi.startTime ?? 0) + 3_600_000,
    });
    expect(idsOf(betfair).event.eventId).toBe(idsOf(oddsApi).event.eventId);
    expect(idsOf(oddsApi).event.eventId).toBe('soccer/2027-01-15/brighton-and-hove-albion~manchester-united');
  });

  it('are order-independent and colon-free for any team names', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (home, away) => {
        const input = { ...rawBook(), homeTeam: home, awayTeam: away };
        const forward = canonicalEvent(input, aliases).eventId;
        expect(canonicalEvent({ ...input, homeTeam: away, awayTeam: home }, aliases).eventId).toBe(forward);
        expect(forward).not.toContain(':');
      }),
    );
  });

  it('name races by venue and start time from real Betfair market definitions', () => {
    const [win] = betfairMessages('betfair-1.185781277.first-last.jsonl');
    const [place] = betfairMessages('betfair-1.205822330.first-last.jsonl');
    expect(idsOf(betfairBook(win!, 'back')).event.eventId).toBe('horse-racing/2021-07-30/lismore/0544');
    expect(idsOf(betfairBook(place!, 'back')).event.eventId).toBe(
      'horse-racing/2022-11-01/sunshine-coast/0149',
    );
  });

  it('can name races by race number, parsed from "R7 …" when the record has none', () => {
    const race = rawBook({
      provider: 'betfair',
      sport: '7',
      homeTeam: null,
      awayTeam: null,
      venue: 'Flemington',
      marketType: 'WIN',
      marketName: 'R7 1200m Hcap',
      startTime: Date.parse('2024-11-05T04:00:00Z'),
    });
    const byNumber = (book: typeof race) => canonicalEvent(book, aliases, 'race-number').eventId;
    expect(byNumber(race)).toBe('horse-racing/2024-11-05/flemington/r7');
    expect(byNumber({ ...race, raceNumber: 8 })).toBe('horse-racing/2024-11-05/flemington/r8');
    expect(byNumber({ ...race, marketName: 'To Be Placed' })).toBe('horse-racing/2024-11-05/flemington/0400');
    expect(canonicalEvent(race, aliases).eventId).toBe('horse-racing/2024-11-05/flemington/0400');
    expect(raceNumberFromMarketName('Race 12 - Maiden')).toBe(12);
    expect(raceNumberFromMarketName('2m4f Hcap Chs')).toBeNull();
  });

  it('fall back to the provider id when there is nothing else to name the event by', () => {
    const [cricket] = betfairMessages('betfair-1.200806927.first-last.jsonl');
    expect(idsOf(betfairBook(cricket!, 'back')).event.eventId).toBe('cricket/2022-07-11/betfair-31573045');
    expect(idsOf(rawBook({ startTime: null, sourceEventId: 'a:b c' })).event.eventId).toBe(
      'basketball/the-odds-api-a_b_c',
    );
  });

  it('name an outright by its specific sport key', () => {
    const [book] = oddsApiBooks(oddsApiEvents('oddsapi-mlb-world-series-outrights.json'), 'decimal');
    expect(idsOf(book!).event.eventId).toBe('baseball/2022-09-30/baseball-mlb-world-series-winner');
  });
});

describe('market and selection ids', () => {
  it('make two bookmakers offering the same spread, listed in either order, share a market id', () => {
    const [first, second] = oddsApiEvents('oddsapi-nfl-spreads-totals.first-events.json');
    const books = oddsApiBooks([first!], 'decimal').filter((b) => b.marketType === 'spreads');
    const unibet = idsOf(books.find((b) => b.bookmaker === 'unibet')!);
    const reversed = books.find((b) => b.bookmaker === 'betrivers')!;
    const betrivers = idsOf({ ...reversed, selections: [...reversed.selections].reverse() });
    expect(unibet.market.marketId).toBe('SPREAD@-4');
    expect(betrivers.market.marketId).toBe(unibet.market.marketId);
    expect(betrivers.selectionIds).toEqual(['new-orleans-saints', 'dallas-cowboys']);
    const totals = oddsApiBooks([second!], 'decimal').filter((b) => b.marketType === 'totals');
    expect(totals.map((b) => idsOf(b).market.marketId)).toContain('TOTAL@45.5');
    expect(idsOf(totals[0]!).selectionIds).toEqual(['over', 'under']);
  });

  it('recognise a 3-way h2h from a draw (The Odds API) and a lay market from its key', () => {
    const books = oddsApiBooks(oddsApiEvents('oddsapi-serie-a-decimal.first-event.json'), 'decimal');
    const lay = idsOf(books.find((b) => b.marketType === 'h2h_lay')!);
    expect(lay.market.marketId).toBe('H2H_3WAY');
    expect(lay.side).toBe('lay');
    expect(lay.selectionIds).toEqual(['atalanta-bc', 'spezia', 'draw']);
    expect(idsOf({ ...books[0]!, side: 'back' }).market.marketId).toBe('H2H_3WAY');
  });

  it('match Betfair MATCH_ODDS (3 runners, "The Draw") with The Odds API h2h', () => {
    const betfair = idsOf(
      rawBook({
        provider: 'betfair',
        sport: '1',
        marketType: 'MATCH_ODDS',
        selections: [
          selection('Boston Celtics', '2'),
          selection('Miami Heat', '3'),
          selection('The Draw', '4'),
        ],
      }),
    );
    expect(betfair.market.marketId).toBe('H2H_3WAY');
    expect(betfair.selectionIds).toEqual(['boston-celtics', 'miami-heat', 'draw']);
  });

  it('carry places in a place market id and strip cloth numbers from runner names', () => {
    const [place] = betfairMessages('betfair-1.205822330.first-last.jsonl');
    const ids = idsOf(betfairBook(place!, 'back'));
    expect(ids.market.marketId).toBe('PLACE@3');
    expect(ids.selectionIds.slice(0, 3)).toEqual(['realaide', 'legend-i-am', 'storm-harbour']);
    const [win] = betfairMessages('betfair-1.185781277.first-last.jsonl');
    expect(idsOf(betfairBook(win!, 'back')).selectionIds[0]).toBe('betfair-38475728');
  });

  it('name Betfair OVER_UNDER_25 runners over/under at line 2.5', () => {
    const ids = idsOf(
      rawBook({
        provider: 'betfair',
        sport: '1',
        marketType: 'OVER_UNDER_25',
        selections: [selection('Under 2.5 Goals', '1.9'), selection('Over 2.5 Goals', '2.1')],
      }),
    );
    expect(ids.market).toMatchObject({ marketType: 'TOTAL', marketId: 'TOTAL@2.5', line: 2.5 });
    expect(ids.selectionIds).toEqual(['under', 'over']);
  });

  it('give a result the event, market and selection ids of the books it settles', () => {
    const [first, last] = betfairMessages('betfair-1.205822330.first-last.jsonl');
    const book = idsOf(betfairBook(first!, 'back'));
    const result = canonicalResultIds(betfairResult(last!), { aliases });
    expect(result.ok && result.ids.event.eventId).toBe(book.event.eventId);
    expect(result.ok && result.ids.marketId).toBe(book.market.marketId);
    expect(result.ok && result.ids.runnerIds).toContain('birkin-black');
    const scores = canonicalResultIds(rawResult(), { aliases });
    expect(scores.ok && scores.ids.event.eventId).toBe(idsOf(rawBook()).event.eventId);
  });
});
