import { canonicalTeamName, canonicalVenueName, type AliasTables } from './aliases.js';
import { isBlankName, nameKey } from './name-key.js';
import { canonicalSport, isRacingFamily, type CanonicalSport } from './sports.js';

/**
 * What names a race. `start-time` (the default) uses the scheduled off in UTC: Betfair gives it on
 * every market (marketTime), and the WIN and PLACE markets of a race share it, whereas a race
 * number appears only in some market names (AU "R7 1200m Hcap", never UK names, never
 * "To Be Placed") and never in a settled market's result. `race-number` uses the race number
 * where one is known and falls back to the start time.
 */
export type RacingEventKey = 'start-time' | 'race-number';

export interface EventKeyInput {
  provider: string;
  sourceEventId: string;
  sport: string;
  startTime: number | null;
  homeTeam: string | null;
  awayTeam: string | null;
  venue: string | null;
  raceNumber: number | null;
  marketName?: string | null;
  competition: string | null;
  eventName: string | null;
}

export interface CanonicalEvent {
  eventId: string;
  sport: CanonicalSport;
  racing: boolean;
  /**
   * Set for an event named by its two teams: the same pair can meet twice in a day
   * (doubleheaders, replayed fixtures), which only the start time tells apart. EventRegistry
   * turns `eventId` into the final id with it.
   */
  pairing?: { pairKey: string; startTime: number };
}

// "R7 1200m Hcap", "Race 7 - Maiden" (AU/US Betfair market names).
const raceNumberInName = /^\s*(?:R|Race\s*)(\d{1,2})\b/iu;

export function raceNumberFromMarketName(marketName: string | null | undefined): number | null {
  const match = marketName ? raceNumberInName.exec(marketName) : null;
  return match?.[1] ? Number(match[1]) : null;
}

// Betfair names team events "Home v Away"; other feeds use "vs" or "@" (away @ home).
const teamsInName = /^(.+?)\s+(?:v|vs\.?|@)\s+(.+)$/iu;

/** The two teams of an event: its home and away team, else an event name "A v B"; null for none. */
export function teamsOf(
  input: Pick<EventKeyInput, 'homeTeam' | 'awayTeam' | 'eventName'>,
): [string, string] | null {
  if (present(input.homeTeam) && present(input.awayTeam)) return [input.homeTeam, input.awayTeam];
  const match = present(input.eventName) ? teamsInName.exec(input.eventName.trim()) : null;
  return match?.[1] && match[2] ? [match[1], match[2]] : null;
}

function present(value: string | null | undefined): value is string {
  return value !== null && value !== undefined && !isBlankName(value);
}

function sourceKey(input: EventKeyInput): string {
  return `${nameKey(input.provider)}-${input.sourceEventId.trim().replace(/[:\s/]+/gu, '_')}`;
}

function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function utcHourMinute(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16).replace(':', '');
}

function raceKey(input: EventKeyInput, startTime: number, key: RacingEventKey): string {
  const race =
    key === 'race-number' ? (input.raceNumber ?? raceNumberFromMarketName(input.marketName)) : null;
  return race !== null ? `r${race}` : utcHourMinute(startTime);
}

/**
 * A deterministic event id, equal for the same event from any provider or bookmaker, with no
 * `:` in it (odds.normalized is keyed `eventId:marketId`). Parts are joined by `/`:
 * - team sports: family/UTC date/the two canonical team keys sorted and joined by `~`
 *   (`basketball/2027-01-15/boston-celtics~miami-heat`), so home/away order does not matter;
 *   the teams come from homeTeam/awayTeam, else from an event name "A v B". A second event of
 *   the same pair that day gets its start time appended (EventRegistry, event-registry.ts);
 * - racing: family/UTC date/venue (else meeting name)/start HHMM UTC or `r<race>`
 *   (`horse-racing/2021-07-30/lismore/0544`);
 * - anything else (outrights): family/UTC date/key of the event name, competition or specific sport;
 * - nothing to name it by, or no start time: the provider's id (`cricket/2022-07-11/betfair-31573045`,
 *   `soccer/ws-json-123`), which cannot match other providers but never merges two events.
 */
export function canonicalEvent(
  input: EventKeyInput,
  aliases: AliasTables,
  racingKey: RacingEventKey = 'start-time',
): CanonicalEvent {
  const sport = canonicalSport(input.sport);
  const racing = isRacingFamily(sport.family) || (present(input.venue) && !present(input.homeTeam));
  if (input.startTime === null) return { eventId: `${sport.family}/${sourceKey(input)}`, sport, racing };
  const prefix = `${sport.family}/${utcDate(input.startTime)}`;
  if (racing) {
    // A meeting's name ("Sunshine Coast (AUS) 1st Nov") stands in for a missing venue; the race
    // key still tells its races apart.
    const place = present(input.venue)
      ? nameKey(canonicalVenueName(aliases, input.venue))
      : present(input.eventName)
        ? nameKey(input.eventName)
        : sourceKey(input);
    return { eventId: `${prefix}/${place}/${raceKey(input, input.startTime, racingKey)}`, sport, racing };
  }
  const teams = teamsOf(input);
  if (teams !== null) {
    const keys = teams.map((t) => nameKey(canonicalTeamName(aliases, t))).sort();
    return {
      eventId: `${prefix}/${keys.join('~')}`,
      sport,
      racing,
      pairing: { pairKey: `${sport.family}/${keys.join('~')}`, startTime: input.startTime },
    };
  }
  // An outright: its name, or a sport key specific enough to name it (golf_masters_tournament_winner);
  // a bare family ("cricket") would merge a day's events, so the provider's id is used instead.
  const label = [input.eventName, input.competition].find(present);
  if (label !== undefined) return { eventId: `${prefix}/${nameKey(label)}`, sport, racing };
  if (sport.sport !== sport.family) return { eventId: `${prefix}/${sport.sport}`, sport, racing };
  return { eventId: `${prefix}/${sourceKey(input)}`, sport, racing };
}
