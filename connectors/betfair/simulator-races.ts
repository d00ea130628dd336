import type { CardRace } from '../../src/core/sim/race-card.js';
import { shuffled, type Random } from '../../src/core/sim/random.js';
import type { MarketCatalogue } from './betting-api.js';
import type { SimMarketSpec } from './simulator-market.js';

// How Betfair names racing, so that the simulator's catalogue reads like the real one:
// events are meetings ("Ascot 1st Mar", "Flemington (AUS) 1st Mar"), UK and Irish market names
// are distance and type ("1m4f Hcap"), Australian and American ones start with the race number
// ("R3 1200m Hcap") and name runners with their cloth or trap number ("3. Gap Year").

type RaceFields = Omit<SimMarketSpec, 'id' | 'eventTypeId' | 'ladderLevels' | 'race'>;

const threeLetter: Record<string, string> = { AU: 'AUS', US: 'USA', NZ: 'NZL', ZA: 'RSA', FR: 'FRA' };
const numberedRunners = new Set(['AU', 'US', 'NZ']);

function ordinal(day: number): string {
  const suffix =
    day % 10 === 1 && day !== 11
      ? 'st'
      : day % 10 === 2 && day !== 12
        ? 'nd'
        : day % 10 === 3 && day !== 13
          ? 'rd'
          : 'th';
  return `${day}${suffix}`;
}

/** The meeting's local day, as Betfair's event names give it. */
function localDay(time: number, timezone: string): { day: number; month: string } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    day: 'numeric',
    month: 'short',
  }).formatToParts(time);
  return {
    day: Number(parts.find((p) => p.type === 'day')?.value ?? 1),
    month: parts.find((p) => p.type === 'month')?.value ?? 'Jan',
  };
}

function meetingName(venue: string, countryCode: string, time: number, timezone: string): string {
  const { day, month } = localDay(time, timezone);
  const tag = threeLetter[countryCode];
  return `${venue}${tag ? ` (${tag})` : ''} ${ordinal(day)} ${month}`;
}

/** One event id per meeting and day, as on Betfair: all races of a meeting share it. */
function meetingId(name: string): string {
  let hash = 0x811c9dc5;
  for (const ch of name) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return String(33_000_000 + (hash % 900_000));
}

export function horseRaceSpec(race: CardRace, marketType: 'WIN' | 'PLACE'): RaceFields {
  const numbered = numberedRunners.has(race.countryCode);
  const runners = race.runners.length;
  const title = `${race.distance} ${race.raceType}`;
  const eventName = meetingName(race.venue, race.countryCode, race.startTime, race.timezone);
  return {
    eventId: meetingId(eventName),
    marketType,
    venue: race.venue,
    countryCode: race.countryCode,
    timezone: race.timezone,
    marketTime: race.startTime,
    // Places paid: 2 from 5-7 runners, 3 from 8 or more.
    numberOfWinners: marketType === 'PLACE' ? (runners >= 8 ? 3 : 2) : 1,
    selectionIds: race.runners.map((r) => r.horseId),
    eventName,
    marketName: marketType === 'PLACE' ? 'To Be Placed' : numbered ? `R${race.raceNumber} ${title}` : title,
    runnerNames: race.runners.map((r) => (numbered ? `${r.cloth}. ${r.name}` : r.name)),
    raceIndex: race.index,
  };
}

const tracks: readonly [string, string, string][] = [
  ['Romford', 'GB', 'Europe/London'],
  ['The Meadows', 'AU', 'Australia/Melbourne'],
  ['Towcester', 'GB', 'Europe/London'],
  ['Shelbourne Park', 'IE', 'Europe/Dublin'],
];

const dogNames = [
  'Swift Blaze',
  'Ballymac Arrow',
  'Droopys Vieri',
  'Kilara Lizzie',
  'Rapid Rebel',
  'Forest Echo',
  'Salacres Jet',
  'Coolavanny Star',
  'Midnight Bolt',
  'Lenson Bocko',
  'Priceless Pearl',
  'Glengar Dasher',
  'Tornado Tim',
  'Roxholme Girl',
  'Signet Flyer',
  'Kinda Sharp',
];

/** A greyhound race n: a track in turn, six traps, dogs drawn by the engine's random source. */
export function greyhoundRace(n: number, marketTime: number, runners: number, random: Random): RaceFields {
  const [venue, countryCode, timezone] = tracks[n % tracks.length]!;
  const dogs = shuffled(dogNames, random).slice(0, runners);
  const eventName = meetingName(venue, countryCode, marketTime, timezone);
  const grade = 1 + Math.floor(random() * 8);
  return {
    eventId: meetingId(eventName),
    marketType: 'WIN',
    venue,
    countryCode,
    timezone,
    marketTime: Math.round(marketTime / 60_000) * 60_000,
    numberOfWinners: 1,
    selectionIds: Array.from({ length: runners }, (_, i) => 40_000_000 + n * 100 + i + 1),
    eventName,
    marketName: `A${grade} ${countryCode === 'AU' ? 515 : 400 + 80 * (grade % 2)}m`,
    runnerNames: dogs.map((dog, i) => `${i + 1}. ${dog}`),
    raceIndex: null,
  };
}

const eventTypeNames: Record<string, string> = { '7': 'Horse Racing', '4339': 'Greyhound Racing' };

/** The market as listMarketCatalogue describes it with every projection the connector asks for. */
export function marketCatalogue(spec: SimMarketSpec): MarketCatalogue {
  const time = new Date(spec.marketTime).toISOString();
  return {
    marketId: spec.id,
    marketName: spec.marketName,
    marketStartTime: time,
    description: {
      persistenceEnabled: true,
      bspMarket: true,
      marketTime: time,
      suspendTime: time,
      bettingType: 'ODDS',
      turnInPlayEnabled: spec.eventTypeId === '7',
      marketType: spec.marketType,
      regulator: 'MALTA LOTTERIES AND GAMBLING AUTHORITY',
      marketBaseRate: spec.countryCode === 'AU' ? 7 : 5,
      discountAllowed: true,
      wallet: 'UK wallet',
      rules: '',
      rulesHasDate: true,
    },
    totalMatched: 0,
    runners: spec.selectionIds.map((selectionId, i) => ({
      selectionId,
      runnerName: spec.runnerNames[i] ?? `Runner ${i + 1}`,
      handicap: 0,
      sortPriority: i + 1,
      metadata: { CLOTH_NUMBER: String(i + 1) },
    })),
    eventType: { id: spec.eventTypeId, name: eventTypeNames[spec.eventTypeId] ?? 'Racing' },
    event: {
      id: spec.eventId,
      name: spec.eventName,
      countryCode: spec.countryCode,
      timezone: spec.timezone,
      venue: spec.venue,
      openDate: time,
    },
  };
}
