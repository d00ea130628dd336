import { nameKey } from './name-key.js';

export interface CanonicalSport {
  /** As specific as the provider is: basketball-nba, soccer-italy-serie-a, horse-racing. */
  sport: string;
  /**
   * The sport without its competition (basketball, soccer, horse-racing). Event ids use it, so
   * Betfair's soccer (event type 1) and The Odds API's soccer_italy_serie_a name the same match.
   */
  family: string;
}

// Betfair event type ids (listEventTypes; https://docs.developer.betfair.com/ → Reference Guide).
const betfairEventTypes: Record<string, string> = {
  '1': 'soccer',
  '2': 'tennis',
  '3': 'golf',
  '4': 'cricket',
  '5': 'rugby-union',
  '6': 'boxing',
  '7': 'horse-racing',
  '1477': 'rugby-league',
  '3503': 'darts',
  '4339': 'greyhound-racing',
  '6422': 'snooker',
  '6423': 'american-football',
  '7511': 'baseball',
  '7522': 'basketball',
  '7524': 'ice-hockey',
  '61420': 'aussie-rules',
  '468328': 'handball',
  '998917': 'volleyball',
  '26420387': 'mixed-martial-arts',
  '27454571': 'esports',
};

// The Odds API sport keys are `<group>_<competition>` (https://the-odds-api.com/sports-odds-data/sports-apis.html);
// these groups are spelt differently from the Betfair families above.
const oddsApiGroups: Record<string, string> = {
  americanfootball: 'american-football',
  icehockey: 'ice-hockey',
  rugbyleague: 'rugby-league',
  rugbyunion: 'rugby-union',
  aussierules: 'aussie-rules',
  mma: 'mixed-martial-arts',
};

// Free-text spellings of racing seen in generic feeds.
const synonyms: Record<string, string> = {
  horseracing: 'horse-racing',
  greyhounds: 'greyhound-racing',
  greyhound: 'greyhound-racing',
  harness: 'harness-racing',
  trotting: 'harness-racing',
};

const racingFamilies = new Set(['horse-racing', 'greyhound-racing', 'harness-racing']);
const knownFamilies = new Set([
  ...Object.values(betfairEventTypes),
  ...Object.values(oddsApiGroups),
  ...racingFamilies,
]);

export function isRacingFamily(family: string): boolean {
  return racingFamilies.has(family);
}

/** The provider's sport key (basketball_nba, Betfair "7", "Horse Racing") → canonical sport and family. */
export function canonicalSport(sportKey: string): CanonicalSport {
  const trimmed = sportKey.trim();
  if (/^\d+$/u.test(trimmed)) {
    const family = betfairEventTypes[trimmed] ?? `event-type-${trimmed}`;
    return { sport: family, family };
  }
  const key = nameKey(trimmed);
  const synonym = synonyms[key.replace(/-/gu, '')];
  if (synonym !== undefined) return { sport: synonym, family: synonym };
  if (knownFamilies.has(key)) return { sport: key, family: key };
  const group = key.split('-')[0] ?? key;
  return { sport: key, family: oddsApiGroups[group] ?? group };
}
