import { gaussian, seededRandom, shuffled } from './random.js';

/**
 * The day's horse racing as every simulator sees it: the same venues, off times and runners
 * whichever simulated provider quotes a race, so that an exchange book (Betfair) and a bookmaker
 * book (the WebSocket feed) of one race join under one canonical event in the pipeline, as real
 * feeds of one race do. A race is a pure function of the seed and its place on the card.
 */

export interface CardRunner {
  /** Saddle-cloth number, from 1. */
  cloth: number;
  /** The horse's number, the same in every race it runs (an exchange's selection id is per horse). */
  horseId: number;
  name: string;
  /** Where the horse was bred when not where it runs: bookmakers print it, "Gap Year (IRE)". */
  bred: string | null;
  /** Log-strength: win chances are a softmax of these (plus the form's drift) over the runners. */
  strength: number;
}

export interface CardRace {
  /** Place on the card, from 0: races start in this order. */
  index: number;
  venue: string;
  countryCode: string;
  timezone: string;
  /** Number of the race at its meeting. */
  raceNumber: number;
  /** Scheduled off in UTC ms, on a whole minute (canonical racing ids key on the minute). */
  startTime: number;
  distance: string;
  /** Race type as Betfair abbreviates it: Hcap, Mdn, Nov Hrd, Stks. */
  raceType: string;
  runners: CardRunner[];
}

export interface RaceCardOptions {
  seed: number;
  /** Off time of race 0; rounded up to a whole minute. */
  firstStart: number;
  /** Time between two consecutive offs on the card (over all venues); whole minutes. */
  spacingMs?: number;
  /** Runners per race: a fixed number, or drawn from 6 to 12 when absent. */
  runners?: number;
}

interface Meeting {
  venue: string;
  countryCode: string;
  timezone: string;
  /** Distances run there, in the local notation. */
  distances: readonly string[];
  raceTypes: readonly string[];
}

const ukTypes = ['Hcap', 'Mdn Stks', 'Nov Hrd', 'Hcap Chs', 'Class Stks', 'Nursery'];
const auTypes = ['Hcap', 'Mdn', 'BM64', 'Class 1', 'Listed'];

// Real racecourses, so that the venue alias tables and the names a trader reads look familiar.
export const meetings: readonly Meeting[] = [
  {
    venue: 'Ascot',
    countryCode: 'GB',
    timezone: 'Europe/London',
    distances: ['5f', '7f', '1m', '1m4f', '2m'],
    raceTypes: ukTypes,
  },
  {
    venue: 'Leopardstown',
    countryCode: 'IE',
    timezone: 'Europe/Dublin',
    distances: ['6f', '1m', '1m2f', '2m1f'],
    raceTypes: ukTypes,
  },
  {
    venue: 'Flemington',
    countryCode: 'AU',
    timezone: 'Australia/Melbourne',
    distances: ['1000m', '1200m', '1400m', '1600m', '2000m'],
    raceTypes: auTypes,
  },
  {
    venue: 'Kempton',
    countryCode: 'GB',
    timezone: 'Europe/London',
    distances: ['5f', '6f', '7f', '1m', '1m3f'],
    raceTypes: ukTypes,
  },
];

const horseNames = [
  'Gap Year',
  'Silver Kestrel',
  'Harbour Light',
  'Midnight Ledger',
  'Copper Beech',
  'Tidal Reach',
  'Lord Of Misrule',
  'Quiet Promise',
  'Northern Tempo',
  'Scarlet Tide',
  'Wild Orchard',
  'Brave Cadence',
  'Iron Mistress',
  'Glen Aisling',
  'Summer Parade',
  'Pocket Rocket',
  'Stormy Monday',
  'Velvet Thunder',
  'Kilkenny Rose',
  'Ballyhale Boy',
  'Desert Sonnet',
  'Merry Dancer',
  'Cobalt Sky',
  'Flying Ember',
  'Captain Nelson',
  'River Maiden',
  'Highland Reel',
  'Autumn Gold',
  'Dancing Comet',
  'Bold Venture',
  'Golden Acre',
  'Sea Of Stars Too',
  'Rocking Horse Lad',
  'Morning Glory',
  'Lucky Clover',
  'Stone Circle',
  'Jack Of Diamonds',
  'Raven Wing',
  'Ocean Drive',
  'Sandy Cove',
  'The Wanderer',
  'Emerald Isle',
  'Fair Warning',
  'Second Wind',
  'Tin Soldier',
  'King Of Hearts',
  'Persian Blue',
  'Hidden Depths',
  'Royal Ascent',
  'Clever Trick',
  'Last Orders',
  'Apple Blossom',
  'Grey Pilgrim',
  'Sunny Spell',
  'Mister Maestro',
  'Sweet Chariot',
  'Coral Reef',
  'Night Watchman',
  'Shooting Star',
  'Twelfth Night',
];

const breeding = ['IRE', 'FR', 'GER', 'USA', 'NZ'];

const minute = 60_000;
const noRunners: ReadonlySet<number> = new Set();

export class RaceCard {
  private readonly firstStart: number;
  private readonly spacingMs: number;
  private readonly races = new Map<number, CardRace>();
  private readonly open = new Set<number>();
  private readonly run = new Set<number>();
  private readonly nonRunners = new Map<number, Set<number>>();

  constructor(private readonly options: RaceCardOptions) {
    this.firstStart = Math.ceil(options.firstStart / minute) * minute;
    this.spacingMs = Math.max(1, Math.round((options.spacingMs ?? 5 * minute) / minute)) * minute;
  }

  /** Race `index` of the card: the same for every caller and in any order of calls. */
  race(index: number): CardRace {
    const known = this.races.get(index);
    if (known !== undefined) return known;
    // A generator per race, so that a race does not depend on which races were drawn before it.
    const random = seededRandom(
      (Math.imul(this.options.seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0,
    );
    const meeting = meetings[index % meetings.length]!;
    const count = this.options.runners ?? 6 + Math.floor(random() * 7);
    const horses = shuffled(
      horseNames.map((name, i) => ({ name, horseId: 38_400_000 + i })),
      random,
    ).slice(0, count);
    const runners = horses.map(({ name, horseId }, i) => {
      const foreign = random() < 0.3;
      const bred = foreign ? (breeding[Math.floor(random() * breeding.length)] ?? null) : null;
      const strength = gaussian(random) * 0.8;
      return { cloth: i + 1, horseId, name, bred: bred === meeting.countryCode ? null : bred, strength };
    });
    const pick = (list: readonly string[]) => list[Math.floor(random() * list.length)] ?? list[0] ?? '';
    const race: CardRace = {
      index,
      venue: meeting.venue,
      countryCode: meeting.countryCode,
      timezone: meeting.timezone,
      raceNumber: Math.floor(index / meetings.length) + 1,
      startTime: this.firstStart + index * this.spacingMs,
      distance: pick(meeting.distances),
      raceType: pick(meeting.raceTypes),
      runners,
    };
    // Races are asked for in card order, so only the latest few are worth keeping.
    this.races.set(index, race);
    for (const old of this.races.keys()) if (this.races.size > 256) this.races.delete(old);
    return race;
  }

  /**
   * The runners' log-strengths at `time`: each drifts slowly around its own strength (periods of
   * minutes), the same for every simulator, so that an exchange and a bookmaker quoting the race
   * at the same moment agree on the favourites as real markets do, and differ by their margins
   * and a little noise of their own rather than by a random walk each.
   */
  form(race: CardRace, time: number): number[] {
    return race.runners.map((runner) => {
      const period = 120_000 + (runner.horseId % 7) * 40_000;
      const phase = ((Math.imul(runner.horseId, 0x9e3779b1) >>> 0) % 1000) / 1000;
      return runner.strength + 0.2 * Math.sin(2 * Math.PI * (time / period + phase));
    });
  }

  /** A runner withdrawn from race `index` (by horse id): every simulator takes it out. */
  withdraw(index: number, horseId: number): void {
    const set = this.nonRunners.get(index) ?? new Set<number>();
    set.add(horseId);
    this.nonRunners.set(index, set);
  }

  withdrawn(index: number): ReadonlySet<number> {
    return this.nonRunners.get(index) ?? noRunners;
  }

  /** A simulator opened markets on race `index`; others quote the races open first. */
  opened(index: number): void {
    if (!this.run.has(index)) this.open.add(index);
  }

  /** Race `index` has been run: its markets close everywhere. */
  finished(index: number): void {
    this.open.delete(index);
    this.run.add(index);
    this.nonRunners.delete(index);
  }

  hasRun(index: number): boolean {
    return this.run.has(index);
  }

  /** Races some simulator has open and that have not been run yet, in card order. */
  openRaces(): number[] {
    return [...this.open].sort((a, b) => a - b);
  }
}

/** A card whose first race goes off `leadMs` after `now` (at the next whole minute). */
export function raceCardFrom(now: number, seed: number, leadMs = 5 * minute): RaceCard {
  return new RaceCard({ seed, firstStart: now + leadMs });
}
