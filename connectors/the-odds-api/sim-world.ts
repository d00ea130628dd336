import { gaussian, seededRandom } from '../../src/sim/random.js';
import { bookPrices, halfPointLine, logistic } from './sim-prices.js';

export interface SimSportOptions {
  key: string;
  title?: string;
  group?: string;
  /** Events listed at any time (upcoming and live); a completed one is replaced by a new one. */
  events?: number;
}

export interface SimWorldOptions {
  seed: number;
  sports: readonly SimSportOptions[];
  bookmakers: number;
  /** Delay from the simulator's start to the first event's start. */
  firstStartMs: number;
  /** Gap between consecutive starts within a sport. */
  startSpacingMs: number;
  /** How long a game is live before it completes. */
  durationMs: number;
  /** One random-walk step of prices (and, live, of scores) per this much time. */
  stepMs: number;
  now: () => number;
}

interface Profile {
  draw: boolean;
  pointsPerScore: number;
  /** Expected total points of a game; the totals line. */
  total: number;
  /** Points of handicap per unit of strength (logit). */
  spreadPerLogit: number;
  teamSuffix: string;
}

const profiles: ReadonlyArray<[string, Profile]> = [
  ['soccer_', { draw: true, pointsPerScore: 1, total: 2.5, spreadPerLogit: 0.75, teamSuffix: 'FC' }],
  ['basketball_', { draw: false, pointsPerScore: 2, total: 221.5, spreadPerLogit: 6, teamSuffix: 'Hoopers' }],
  [
    'americanfootball_',
    { draw: false, pointsPerScore: 7, total: 44.5, spreadPerLogit: 5, teamSuffix: 'Rams' },
  ],
  ['', { draw: false, pointsPerScore: 1, total: 5.5, spreadPerLogit: 1, teamSuffix: 'Club' }],
];

// Non-ASCII on purpose: real feeds carry Bodø/Glimt and Śląsk Wrocław.
const cities = [
  'Boston',
  'Miami',
  'Denver',
  'Bodø',
  'Wrocław',
  'München',
  'Málaga',
  'Zürich',
  'Porto',
  'Oslo',
  'Kraków',
  'Sevilla',
  'Toronto',
  'Chicago',
  'Dallas',
  'Phoenix',
  'Atlanta',
  'Seattle',
  'São Paulo',
  'Lyon',
];

const knownBookmakers: ReadonlyArray<[string, string, string]> = [
  ['draftkings', 'DraftKings', 'us'],
  ['fanduel', 'FanDuel', 'us'],
  ['pinnacle', 'Pinnacle', 'eu'],
  ['williamhill', 'William Hill', 'uk'],
  ['betmgm', 'BetMGM', 'us'],
  ['unibet_eu', 'Unibet', 'eu'],
  ['sportsbet', 'SportsBet', 'au'],
  ['paddypower', 'Paddy Power', 'uk'],
  ['betsson', 'Betsson', 'eu'],
  ['bovada', 'Bovada', 'us'],
  ['tab', 'TAB', 'au'],
  ['ladbrokes_uk', 'Ladbrokes', 'uk'],
];
const regions = ['us', 'uk', 'eu', 'au'];

export interface SimBookmaker {
  key: string;
  title: string;
  region: string;
  /** Overround of this bookmaker's books: 3–9 %, i.e. books of 103–109 % before rounding. */
  margin: number;
  /** A constant lean on home strength, so books disagree a little. */
  skew: number;
  lagMs: number;
}

export interface SimEvent {
  id: string;
  sportKey: string;
  sportTitle: string;
  profile: Profile;
  home: string;
  away: string;
  commenceAt: number;
  endAt: number;
  /** Home strength in logits; the random walk moves it. */
  strength: number;
  homeScore: number;
  awayScore: number;
  completed: boolean;
  lastStepAt: number;
}

export interface SimOutcome {
  name: string;
  /** Decimal; the server converts to American on request. */
  price: number;
  point?: number;
}

export const simMarkets = ['h2h', 'spreads', 'totals'] as const;
export type SimMarket = (typeof simMarkets)[number];

export interface SimWorld {
  readonly bookmakers: readonly SimBookmaker[];
  sport(key: string): { key: string; title: string; group: string } | undefined;
  sports(): Array<{ key: string; title: string; group: string }>;
  /** Upcoming and live events of a sport, after moving the world to now. */
  openEvents(sportKey: string): SimEvent[];
  /** Completed events that finished within `sinceMs` of now. */
  completedEvents(sportKey: string, sinceMs: number): SimEvent[];
  market(event: SimEvent, bookmaker: SimBookmaker, market: SimMarket): SimOutcome[];
}

export function createSimWorld(options: SimWorldOptions): SimWorld {
  const random = seededRandom(options.seed);
  const started = options.now();
  const hex = () => Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  const bookmakers: SimBookmaker[] = Array.from({ length: options.bookmakers }, (_, i) => {
    const known = knownBookmakers[i];
    return {
      key: known?.[0] ?? `simbook${i}`,
      title: known?.[1] ?? `Sim Book ${i}`,
      region: known?.[2] ?? regions[i % regions.length] ?? 'us',
      margin: 0.03 + random() * 0.06,
      skew: (random() - 0.5) * 0.1,
      lagMs: Math.floor(random() * 5_000),
    };
  });

  const sports = options.sports.map((s) => ({
    key: s.key,
    title: s.title ?? s.key,
    group: s.group ?? s.key.split('_')[0] ?? s.key,
    events: s.events ?? 8,
    profile: (profiles.find(([prefix]) => s.key.startsWith(prefix)) ?? profiles[profiles.length - 1])![1],
    open: [] as SimEvent[],
    done: [] as SimEvent[],
    nextStart: started + options.firstStartMs,
  }));

  function spawn(sport: (typeof sports)[number]): SimEvent {
    const a = Math.floor(random() * cities.length);
    const b = (a + 1 + Math.floor(random() * (cities.length - 1))) % cities.length;
    const now = options.now();
    // A replacement spawned after a long idle starts from now, not in the past.
    const commenceAt = Math.max(sport.nextStart, now);
    sport.nextStart = commenceAt + options.startSpacingMs;
    return {
      id: hex(),
      sportKey: sport.key,
      sportTitle: sport.title,
      profile: sport.profile,
      home: `${cities[a]} ${sport.profile.teamSuffix}`,
      away: `${cities[b]} ${sport.profile.teamSuffix}`,
      commenceAt,
      endAt: commenceAt + options.durationMs,
      strength: gaussian(random) * 0.8,
      homeScore: 0,
      awayScore: 0,
      completed: false,
      lastStepAt: now,
    };
  }

  function step(event: SimEvent, at: number): void {
    event.strength = Math.max(-2.5, Math.min(2.5, event.strength + gaussian(random) * 0.03));
    if (at < event.commenceAt || at >= event.endAt) return;
    // Scoring chances follow strength; a point-heavy sport scores on most steps.
    const chance = event.profile.pointsPerScore >= 2 ? 0.5 : 0.15;
    const pHome = logistic(event.strength);
    if (random() < chance * pHome * 2) event.homeScore += event.profile.pointsPerScore;
    if (random() < chance * (1 - pHome) * 2) event.awayScore += event.profile.pointsPerScore;
  }

  function finish(event: SimEvent): void {
    // Every game ends with a winner: a tie goes to the stronger side at the whistle.
    if (event.homeScore === event.awayScore) {
      if (event.strength >= 0) event.homeScore += event.profile.pointsPerScore;
      else event.awayScore += event.profile.pointsPerScore;
    }
    event.completed = true;
    event.lastStepAt = event.endAt;
  }

  function advance(sport: (typeof sports)[number]): void {
    const now = options.now();
    while (sport.open.length < sport.events) sport.open.push(spawn(sport));
    for (const event of sport.open) {
      // Bounded catch-up after a long idle: the walk does not need every missed step.
      const steps = Math.min(200, Math.floor((now - event.lastStepAt) / options.stepMs));
      for (let i = steps; i > 0; i--) step(event, now - (i - 1) * options.stepMs);
      if (steps > 0) event.lastStepAt = now;
      if (now >= event.endAt) finish(event);
    }
    sport.done.push(...sport.open.filter((e) => e.completed));
    sport.open = sport.open.filter((e) => !e.completed);
    // The scores endpoint reaches back 3 days at most; older games are forgotten.
    sport.done = sport.done.filter((e) => e.endAt >= now - 3 * 86_400_000).slice(-500);
    while (sport.open.length < sport.events) sport.open.push(spawn(sport));
  }

  const find = (key: string) => sports.find((s) => s.key === key);

  return {
    bookmakers,
    sport: (key) => find(key),
    sports: () => sports.map(({ key, title, group }) => ({ key, title, group })),
    openEvents(sportKey) {
      const sport = find(sportKey);
      if (!sport) return [];
      advance(sport);
      return sport.open;
    },
    completedEvents(sportKey, sinceMs) {
      const sport = find(sportKey);
      if (!sport) return [];
      advance(sport);
      const from = options.now() - sinceMs;
      return sport.done.filter((e) => e.endAt >= from);
    },
    market(event, bookmaker, market) {
      const { profile } = event;
      const lead = (event.homeScore - event.awayScore) / profile.pointsPerScore;
      const strength = event.strength + bookmaker.skew + 0.6 * lead;
      if (market === 'h2h') {
        const pHome = logistic(strength);
        const draw = profile.draw ? 0.26 * Math.exp(-Math.abs(strength)) : 0;
        const probabilities = [(1 - draw) * pHome, (1 - draw) * (1 - pHome), ...(profile.draw ? [draw] : [])];
        const names = [event.home, event.away, ...(profile.draw ? ['Draw'] : [])];
        const prices = bookPrices(probabilities, bookmaker.margin);
        return names.map((name, i) => ({ name, price: prices[i] ?? 1.01 }));
      }
      const lean = 0.5 + bookmaker.skew / 2;
      const [first = 1.91, second = 1.91] = bookPrices([lean, 1 - lean], bookmaker.margin);
      if (market === 'spreads') {
        const line = halfPointLine(-(event.strength * profile.spreadPerLogit));
        return [
          { name: event.home, price: first, point: line },
          { name: event.away, price: second, point: -line },
        ];
      }
      const progress = Math.min(
        1,
        Math.max(0, (event.lastStepAt - event.commenceAt) / (event.endAt - event.commenceAt)),
      );
      const line = halfPointLine(event.homeScore + event.awayScore + profile.total * (1 - progress));
      return [
        { name: 'Over', price: first, point: line },
        { name: 'Under', price: second, point: line },
      ];
    },
  };
}
