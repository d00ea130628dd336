import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RawMarketBook, RawResult, RawSelection } from '../../../../src/core/generated/avro-types.js';
import { noExchangeData, noExchangeMarketData } from '../../../../connectors/contract.js';

// Minimal provider → raw-record mappings for tests of the processors, standing in for the
// connectors (written elsewhere): only the fields the processors read.

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../../fixtures/processors/${name}`, import.meta.url));
}

export function readFixture(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

export function rawBook(overrides: Partial<RawMarketBook> = {}): RawMarketBook {
  return {
    provider: 'the-odds-api',
    sourceEventId: 'e1',
    sourceMarketId: 'h2h',
    sport: 'basketball_nba',
    competition: null,
    eventName: null,
    homeTeam: 'Boston Celtics',
    awayTeam: 'Miami Heat',
    venue: null,
    raceNumber: null,
    startTime: Date.parse('2027-01-15T00:10:00Z'),
    marketType: 'h2h',
    marketName: null,
    bookmaker: 'draftkings',
    side: 'back',
    status: 'OPEN',
    inPlay: false,
    numberOfPlaces: null,
    priceFormat: 'decimal',
    selections: [selection('Boston Celtics', '1.30'), selection('Miami Heat', '3.60')],
    eventTime: Date.parse('2027-01-14T18:02:11Z'),
    receivedAt: Date.parse('2027-01-14T18:02:12Z'),
    payload: '{}',
    ...noExchangeMarketData,
    ...overrides,
  };
}

export function selection(
  name: string | null,
  price: string | null,
  extra: Partial<RawSelection> = {},
): RawSelection {
  return {
    sourceSelectionId: name ?? 'x',
    name,
    price,
    point: null,
    size: null,
    status: 'ACTIVE',
    ...noExchangeData(),
    ...extra,
  };
}

export function rawResult(overrides: Partial<RawResult> = {}): RawResult {
  return {
    provider: 'the-odds-api',
    sourceEventId: 'e1',
    sourceMarketId: null,
    sport: 'basketball_nba',
    competition: null,
    eventName: null,
    homeTeam: 'Boston Celtics',
    awayTeam: 'Miami Heat',
    venue: null,
    raceNumber: null,
    startTime: Date.parse('2027-01-15T00:10:00Z'),
    marketType: null,
    numberOfPlaces: null,
    completed: true,
    scores: [
      { name: 'Boston Celtics', score: '112' },
      { name: 'Miami Heat', score: '104' },
    ],
    runners: [],
    eventTime: Date.parse('2027-01-15T02:41:09Z'),
    receivedAt: Date.parse('2027-01-15T02:41:10Z'),
    payload: '{}',
    ...overrides,
  };
}

interface OddsApiOutcome {
  name: string;
  price: number;
  point?: number;
}
interface OddsApiEvent {
  id: string;
  sport_key: string;
  commence_time: string | number;
  home_team: string | null;
  away_team: string | null;
  completed?: boolean;
  scores?: { name: string; score: string }[] | null;
  last_update?: string | number | null;
  bookmakers?: {
    key: string;
    last_update?: string | number;
    markets: { key: string; last_update?: string | number; outcomes: OddsApiOutcome[] }[];
  }[];
}

// The Odds API sends ISO strings or unix seconds, depending on `dateFormat`.
function oddsApiTime(value: string | number): number {
  return typeof value === 'number' ? value * 1000 : Date.parse(value);
}

export function oddsApiEvents(name: string): OddsApiEvent[] {
  return JSON.parse(readFixture(name)) as OddsApiEvent[];
}

export function oddsApiBooks(events: OddsApiEvent[], priceFormat: 'decimal' | 'american'): RawMarketBook[] {
  return events.flatMap((event) =>
    (event.bookmakers ?? []).flatMap((bookmaker) =>
      bookmaker.markets.map((market) => {
        const eventTime = oddsApiTime(market.last_update ?? bookmaker.last_update ?? event.commence_time);
        return rawBook({
          sourceEventId: event.id,
          sourceMarketId: market.key,
          sport: event.sport_key,
          homeTeam: event.home_team,
          awayTeam: event.away_team,
          startTime: oddsApiTime(event.commence_time),
          marketType: market.key,
          bookmaker: bookmaker.key,
          side: market.key.endsWith('_lay') ? 'lay' : 'back',
          priceFormat,
          selections: market.outcomes.map((o) =>
            selection(o.name, String(o.price), { point: o.point ?? null }),
          ),
          eventTime,
          receivedAt: eventTime,
          payload: JSON.stringify(market),
        });
      }),
    ),
  );
}

export function oddsApiResult(event: OddsApiEvent): RawResult {
  return rawResult({
    sourceEventId: event.id,
    sport: event.sport_key,
    homeTeam: event.home_team,
    awayTeam: event.away_team,
    startTime: oddsApiTime(event.commence_time),
    completed: event.completed ?? false,
    scores: event.scores ?? [],
    eventTime: oddsApiTime(event.last_update ?? event.commence_time),
    payload: JSON.stringify(event),
  });
}

interface BetfairRunnerDefinition {
  id: number;
  status: string;
  name?: string;
  bsp?: number | string;
}
interface BetfairMarketDefinition {
  eventId: string;
  eventTypeId: string;
  marketType: string;
  marketTime: string;
  venue?: string;
  name?: string;
  eventName?: string;
  numberOfWinners: number;
  status: string;
  inPlay: boolean;
  runners: BetfairRunnerDefinition[];
}
interface BetfairMessage {
  pt: number;
  mc: {
    id: string;
    marketDefinition?: BetfairMarketDefinition;
    rc?: { id: number; atb?: number[][]; atl?: number[][] }[];
  }[];
}

export function betfairMessages(name: string): BetfairMessage[] {
  return readFixture(name)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as BetfairMessage);
}

// Best price per runner of one side from full-depth [price, size] ladders (size 0 = deleted),
// one runner possibly split over several rc entries.
function bestPrices(message: BetfairMessage, side: 'back' | 'lay'): Map<number, [number, number]> {
  const best = new Map<number, [number, number]>();
  for (const rc of message.mc[0]?.rc ?? []) {
    for (const [price, size] of (side === 'back' ? rc.atb : rc.atl) ?? []) {
      if (price === undefined || size === undefined || size === 0) continue;
      const current = best.get(rc.id);
      const better = current === undefined || (side === 'back' ? price > current[0] : price < current[0]);
      if (better) best.set(rc.id, [price, size]);
    }
  }
  return best;
}

function definition(message: BetfairMessage): { marketId: string; md: BetfairMarketDefinition } {
  const mc = message.mc[0];
  if (!mc?.marketDefinition) throw new Error('fixture line has no marketDefinition');
  return { marketId: mc.id, md: mc.marketDefinition };
}

const runnerStatus = (status: string): string => (status === 'HIDDEN' ? 'REMOVED' : status);

export function betfairBook(message: BetfairMessage, side: 'back' | 'lay'): RawMarketBook {
  const { marketId, md } = definition(message);
  const prices = bestPrices(message, side);
  return rawBook({
    provider: 'betfair',
    sourceEventId: md.eventId,
    sourceMarketId: marketId,
    sport: md.eventTypeId,
    eventName: md.eventName ?? null,
    homeTeam: null,
    awayTeam: null,
    venue: md.venue ?? null,
    startTime: Date.parse(md.marketTime),
    marketType: md.marketType,
    marketName: md.name ?? null,
    bookmaker: 'betfair',
    side,
    status: md.status,
    inPlay: md.inPlay,
    numberOfPlaces: md.marketType === 'PLACE' ? md.numberOfWinners : null,
    selections: md.runners.map((r) => {
      const best = prices.get(r.id);
      return selection(r.name ?? null, best ? String(best[0]) : null, {
        sourceSelectionId: String(r.id),
        size: best ? best[1] : null,
        status: runnerStatus(r.status),
      });
    }),
    eventTime: message.pt,
    receivedAt: message.pt,
  });
}

export function betfairResult(message: BetfairMessage): RawResult {
  const { marketId, md } = definition(message);
  return rawResult({
    provider: 'betfair',
    sourceEventId: md.eventId,
    sourceMarketId: marketId,
    sport: md.eventTypeId,
    eventName: md.eventName ?? null,
    homeTeam: null,
    awayTeam: null,
    venue: md.venue ?? null,
    startTime: Date.parse(md.marketTime),
    marketType: md.marketType,
    numberOfPlaces: md.marketType === 'PLACE' ? md.numberOfWinners : null,
    completed: md.status === 'CLOSED',
    scores: [],
    runners: md.runners.map((r) => ({
      sourceSelectionId: String(r.id),
      name: r.name ?? null,
      status: runnerStatus(r.status),
      bsp: typeof r.bsp === 'number' ? r.bsp : null,
    })),
    eventTime: message.pt,
    receivedAt: message.pt,
  });
}
