import type { RawMarketBook, RawSelection } from '../../src/core/generated/avro-types.js';
import { noExchangeData, noExchangeMarketData, type ParseFailure } from '../contract.js';
import { notAnArray, parseFailure, parseReasons, provider, readJsonBody } from './parse-body.js';
import {
  bookmakerHeaderSchema,
  issuesToErrors,
  marketSchema,
  oddsEventHeaderSchema,
  omitKey,
  type Market,
  type Outcome,
} from './responses.js';

export type OddsFormat = 'decimal' | 'american';

export interface OddsParseContext {
  /** The request's oddsFormat: the response itself does not say which one it used. */
  oddsFormat: OddsFormat;
  /** When the response arrived: receivedAt of every book, and eventTime when no last_update is given. */
  receivedAt: number;
}

export interface ParsedOdds {
  books: RawMarketBook[];
  failures: ParseFailure[];
  /** Ids of the events the response lists (readable ones), priced or not. */
  events: string[];
}

type EventHeader = ReturnType<typeof oddsEventHeaderSchema.parse>;
type BookmakerHeader = ReturnType<typeof bookmakerHeaderSchema.parse>;

/**
 * Exchange markets come as `<market>_lay` beside the back market (h2h_lay, outrights_lay:
 * https://the-odds-api.com/sports-odds-data/betting-markets.html); their prices are lay prices.
 */
export function sideOf(marketKey: string): 'back' | 'lay' {
  return marketKey.endsWith('_lay') ? 'lay' : 'back';
}

/** `home v away`; outrights have no teams, so the tournament is the event. */
function eventName(event: EventIdentity): string | null {
  if (event.home_team && event.away_team) return `${event.home_team} v ${event.away_team}`;
  return event.sport_title ?? null;
}

interface EventIdentity {
  id: string;
  sport_key: string;
  sport_title?: string | null;
  home_team?: string | null;
  away_team?: string | null;
  commence_time: number;
}

/** What a book and a result of one event share: the event as the API names it (no venues or races). */
export function eventFields(event: EventIdentity) {
  return {
    sourceEventId: event.id,
    sport: event.sport_key,
    competition: event.sport_title ?? null,
    eventName: eventName(event),
    homeTeam: event.home_team ?? null,
    awayTeam: event.away_team ?? null,
    venue: null,
    raceNumber: null,
    startTime: event.commence_time,
  };
}

function toSelection(outcome: Outcome): RawSelection {
  return {
    // Player props repeat Over/Under per player, so the player belongs to the id.
    sourceSelectionId: outcome.description ? `${outcome.description} ${outcome.name}` : outcome.name,
    name: outcome.name,
    // As given: American prices keep their sign and no '+' (240, -303), decimals their digits.
    price: String(outcome.price),
    point: outcome.point ?? null,
    size: null,
    status: 'ACTIVE',
    ...noExchangeData(),
  };
}

function toBook(
  event: EventHeader,
  bookmaker: BookmakerHeader,
  market: Market,
  context: OddsParseContext,
  payload: string,
): RawMarketBook {
  const eventTime = market.last_update ?? bookmaker.last_update ?? context.receivedAt;
  return {
    provider,
    ...eventFields(event),
    sourceMarketId: market.key,
    marketType: market.key,
    marketName: null,
    bookmaker: bookmaker.key,
    side: sideOf(market.key),
    // The API lists only markets that are open for betting; suspended ones are left out.
    status: 'OPEN',
    // Judged by the book's own time, not the clock, so recorded responses replay the same way.
    inPlay: eventTime >= event.commence_time,
    numberOfPlaces: null,
    priceFormat: context.oddsFormat,
    selections: market.outcomes.map(toSelection),
    eventTime,
    receivedAt: context.receivedAt,
    payload,
    ...noExchangeMarketData,
  };
}

/**
 * An odds response as books: one per event × bookmaker × market. Each event, bookmaker and
 * market is checked on its own, so a malformed one becomes a ParseFailure (with every issue and
 * its path from the root of the response) while the valid books of the same response still go out.
 * A book's payload is the provider's event cut down to that one bookmaker and market, unknown
 * fields kept: an audit trail that, wrapped in `[...]`, parses back to the same book.
 */
export function parseOddsResponse(value: unknown, context: OddsParseContext, body = ''): ParsedOdds {
  const books: RawMarketBook[] = [];
  const failures: ParseFailure[] = [];
  const events: string[] = [];
  if (!Array.isArray(value))
    return { books, failures: [notAnArray(value, body || JSON.stringify(value))], events };

  value.forEach((rawEvent: unknown, i) => {
    const event = oddsEventHeaderSchema.safeParse(rawEvent);
    if (!event.success) {
      failures.push(
        parseFailure(parseReasons.schema, issuesToErrors(event.error, [i]), JSON.stringify(rawEvent)),
      );
      return;
    }
    events.push(event.data.id);
    const eventHeader = omitKey(rawEvent, 'bookmakers');
    event.data.bookmakers.forEach((rawBookmaker: unknown, j) => {
      const bookmaker = bookmakerHeaderSchema.safeParse(rawBookmaker);
      if (!bookmaker.success) {
        const payload = JSON.stringify({ ...eventHeader, bookmakers: [rawBookmaker] });
        const errors = issuesToErrors(bookmaker.error, [i, 'bookmakers', j]);
        failures.push(parseFailure(parseReasons.schema, errors, payload));
        return;
      }
      const bookmakerHeader = omitKey(rawBookmaker, 'markets');
      bookmaker.data.markets.forEach((rawMarket: unknown, k) => {
        const payload = JSON.stringify({
          ...eventHeader,
          bookmakers: [{ ...bookmakerHeader, markets: [rawMarket] }],
        });
        const market = marketSchema.safeParse(rawMarket);
        if (market.success) {
          books.push(toBook(event.data, bookmaker.data, market.data, context, payload));
        } else {
          const errors = issuesToErrors(market.error, [i, 'bookmakers', j, 'markets', k]);
          failures.push(parseFailure(parseReasons.schema, errors, payload));
        }
      });
    });
  });
  return { books, failures, events };
}

/** The response body as it came off the wire; a body that is not JSON is one failure, kept byte for byte. */
export function parseOddsBody(body: string, context: OddsParseContext): ParsedOdds {
  const json = readJsonBody(body);
  if (!json.ok) return { books: [], failures: [json.failure], events: [] };
  return parseOddsResponse(json.value, context, body);
}
