import { drawPair, pairKey, teamsFor, utcDay } from '../../src/core/sim/names.js';
import { gaussian, seededRandom } from '../../src/core/sim/random.js';
import { bookPrices, halfPointLine, logistic } from './simulator-prices.js';

export interface SimSportOptions {
  key: string;
  title?: string;
  group?: string;
  /** Events listed at any time (upcoming and live); a completed one is replaced by a new one. */
  events?: number;
  /**
   * Chance that a new game repeats a pair that already played that UTC day: a doubleheader, on
   * purpose (baseball has them). 0 by default: a day's pairs are otherwise all different.
   */
  doubleheaders?: number;
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
  /**
   * Chance, per event, bookmaker and 20 s window, that the bookmaker misprices the last outcome
   * of its h2h market 35 % too long: a deliberate arbitrage (back-back across books, or back
   * against the exchange's lay). 0 by default; the demo sets a small rate.
   */
  arbitrageRate?: number;
  /**
   * Chance, per event, bookmaker and 20 s window, that the bookmaker is missing from the event
   * (its markets suspended): what the connector turns into withdrawals. 0 by default.
   */
  absenceRate?: number;
}

/** The windows of arbitrageRate and absenceRate. */
export const simWindowMs = 20_000;

interface Profile {
  draw: boolean;
  pointsPerScore: number;
  /** Chance per step that a side scores (times its share of the strength, times two). */
  scoringChance: number;
  /** Logits of home strength per unit of lead (a goal, a basket, a touchdown). */
  leadLogit: number;
  /**
   * Bookmakers take the market down for a few seconds after a score that moves the price a lot
   * (a goal, a touchdown), as real ones do; a basket moves it too little to bother.
   */
  suspendsOnScore: boolean;
  /** Expected total points of a game; the totals line. */
  total: number;
  /** Points of handicap per unit of strength (logit). */
  spreadPerLogit: number;
}

const profiles: ReadonlyArray<[string, Profile]> = [
  [
    'soccer_',
    {
      draw: true,
      pointsPerScore: 1,
      scoringChance: 0.03,
      leadLogit: 0.9,
      suspendsOnScore: true,
      total: 2.5,
      spreadPerLogit: 0.75,
    },
  ],
  [
    'basketball_',
    {
      draw: false,
      pointsPerScore: 2,
      scoringChance: 0.5,
      leadLogit: 0.03,
      suspendsOnScore: false,
      total: 221.5,
      spreadPerLogit: 6,
    },
  ],
  [
    'americanfootball_',
    {
      draw: false,
      pointsPerScore: 7,
      scoringChance: 0.08,
      leadLogit: 0.3,
      suspendsOnScore: true,
      total: 44.5,
      spreadPerLogit: 5,
    },
  ],
  [
    '',
    {
      draw: false,
      pointsPerScore: 1,
      scoringChance: 0.05,
      leadLogit: 0.5,
      suspendsOnScore: true,
      total: 5.5,
      spreadPerLogit: 1,
    },
  ],
];

/** How long bookmakers keep an event off after a score that suspends it. */
const suspensionMs = 5_000;

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
  /**
   * A constant lean on home strength, so books disagree a little: at most ±0.025 logit, which
   * the smallest margin (3 %) covers, so two honest books never make an arbitrage.
   */
  skew: number;
  lagMs: number;
  /** An exchange: h2h back near 101 % and h2h_lay near 98.5 %, nothing else. */
  exchange: boolean;
}

/** Exchanges The Odds API lists in the uk region (commission from ODDSFLOW_COMMISSION). */
const simExchanges: readonly SimBookmaker[] = [
  { key: 'betfair_ex_uk', title: 'Betfair', region: 'uk', margin: 0.01, skew: 0, lagMs: 0, exchange: true },
];

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
  /** Off every bookmaker's list until then (a score that suspends the market). */
  suspendedUntil: number;
}

export interface SimOutcome {
  name: string;
  /** Decimal; the server converts to American on request. */
  price: number;
  point?: number;
}

export const simMarkets = ['h2h', 'spreads', 'totals', 'h2h_lay'] as const;
export type SimMarket = (typeof simMarkets)[number];

export interface SimWorld {
  readonly bookmakers: readonly SimBookmaker[];
  sport(key: string): { key: string; title: string; group: string } | undefined;
  sports(): Array<{ key: string; title: string; group: string }>;
  /** Upcoming and live events of a sport, after moving the world to now. */
  openEvents(sportKey: string): SimEvent[];
  /** Completed events that finished within `sinceMs` of now. */
  completedEvents(sportKey: string, sinceMs: number): SimEvent[];
  /** The bookmaker's prices; empty when it does not offer the market (only exchanges lay). */
  market(event: SimEvent, bookmaker: SimBookmaker, market: SimMarket): SimOutcome[];
  /** Whether the bookmaker lists the event now (absenceRate takes it away for a window). */
  lists(event: SimEvent, bookmaker: SimBookmaker): boolean;
}

/** FNV-1a of a text, in [0, 1): the same draw for the same event, bookmaker and window, without state. */
function chance(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 4294967296;
}

export function createSimWorld(options: SimWorldOptions): SimWorld {
  const random = seededRandom(options.seed);
  const started = options.now();
  const hex = () => Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  const bookmakers: SimBookmaker[] = [
    ...Array.from({ length: options.bookmakers }, (_, i): SimBookmaker => {
      const known = knownBookmakers[i];
      return {
        key: known?.[0] ?? `simbook${i}`,
        title: known?.[1] ?? `Sim Book ${i}`,
        region: known?.[2] ?? regions[i % regions.length] ?? 'us',
        margin: 0.03 + random() * 0.06,
        skew: (random() - 0.5) * 0.05,
        lagMs: Math.floor(random() * 5_000),
        exchange: false,
      };
    }),
    ...simExchanges,
  ];

  const sports = options.sports.map((s) => ({
    key: s.key,
    title: s.title ?? s.key,
    group: s.group ?? s.key.split('_')[0] ?? s.key,
    events: s.events ?? 8,
    doubleheaders: s.doubleheaders ?? 0,
    teams: teamsFor(s.key, 0),
    profile: (profiles.find(([prefix]) => s.key.startsWith(prefix)) ?? profiles[profiles.length - 1])![1],
    open: [] as SimEvent[],
    done: [] as SimEvent[],
    /** UTC day → the pairs that play that day. */
    pairs: new Map<string, Set<string>>(),
    nextStart: started + options.firstStartMs,
  }));

  /** Two teams for a game on `day`: a pair not yet seen that day, unless a doubleheader is drawn. */
  function teamsOn(sport: (typeof sports)[number], day: string): [string, string] {
    const played = sport.pairs.get(day) ?? new Set<string>();
    const today = [...played];
    const repeat = today.length > 0 && random() < sport.doubleheaders;
    const [home, away] = repeat
      ? (today[Math.floor(random() * today.length)]!.split('\u0000') as [string, string])
      : drawPair(sport.teams, random, played);
    played.add(pairKey(home, away));
    sport.pairs.set(day, played);
    // Days long gone are forgotten: the map holds the days of the games listed and recent.
    const oldest = utcDay(options.now() - 4 * 86_400_000);
    for (const known of sport.pairs.keys()) if (known < oldest) sport.pairs.delete(known);
    return [home, away];
  }

  function spawn(sport: (typeof sports)[number]): SimEvent {
    const now = options.now();
    // A replacement spawned after a long idle starts from now, not in the past.
    const commenceAt = Math.max(sport.nextStart, now);
    sport.nextStart = commenceAt + options.startSpacingMs;
    const [home, away] = teamsOn(sport, utcDay(commenceAt));
    return {
      id: hex(),
      sportKey: sport.key,
      sportTitle: sport.title,
      profile: sport.profile,
      home,
      away,
      commenceAt,
      endAt: commenceAt + options.durationMs,
      strength: gaussian(random) * 0.8,
      homeScore: 0,
      awayScore: 0,
      completed: false,
      lastStepAt: now,
      suspendedUntil: 0,
    };
  }

  function step(event: SimEvent, at: number): void {
    // Small steps: between two polls (a few steps) prices move less than any bookmaker's margin,
    // so books quoted a poll apart never look like an arbitrage; the real ones are made on purpose.
    const live = at >= event.commenceAt && at < event.endAt;
    event.strength = Math.max(-2.5, Math.min(2.5, event.strength + gaussian(random) * (live ? 0.02 : 0.01)));
    if (!live) return;
    // Scoring chances follow strength; a point-heavy sport scores on most steps.
    const { scoringChance, pointsPerScore, suspendsOnScore } = event.profile;
    const pHome = logistic(event.strength);
    const before = event.homeScore + event.awayScore;
    if (random() < scoringChance * pHome * 2) event.homeScore += pointsPerScore;
    if (random() < scoringChance * (1 - pHome) * 2) event.awayScore += pointsPerScore;
    if (suspendsOnScore && event.homeScore + event.awayScore !== before)
      event.suspendedUntil = at + suspensionMs;
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
    lists(event, bookmaker) {
      if (event.suspendedUntil > options.now()) return false;
      const rate = options.absenceRate ?? 0;
      const window = Math.floor(event.lastStepAt / simWindowMs);
      return rate === 0 || chance(`absent|${event.id}|${bookmaker.key}|${window}`) >= rate;
    },
    market(event, bookmaker, market) {
      const { profile } = event;
      // Exchanges list h2h and h2h_lay only; bookmakers have no lay side.
      if (bookmaker.exchange ? market !== 'h2h' && market !== 'h2h_lay' : market === 'h2h_lay') return [];
      const lead = (event.homeScore - event.awayScore) / profile.pointsPerScore;
      const strength = event.strength + bookmaker.skew + profile.leadLogit * lead;
      if (market === 'h2h' || market === 'h2h_lay') {
        const pHome = logistic(strength);
        const draw = profile.draw ? 0.26 * Math.exp(-Math.abs(strength)) : 0;
        const probabilities = [(1 - draw) * pHome, (1 - draw) * (1 - pHome), ...(profile.draw ? [draw] : [])];
        const names = [event.home, event.away, ...(profile.draw ? ['Draw'] : [])];
        // An exchange's lay prices sit just above its back prices: a lay book of about 98.5 %.
        const prices = bookPrices(probabilities, market === 'h2h_lay' ? -0.015 : bookmaker.margin);
        const window = Math.floor(event.lastStepAt / simWindowMs);
        const mispriced =
          market === 'h2h' &&
          !bookmaker.exchange &&
          chance(`arb|${event.id}|${bookmaker.key}|${window}`) < (options.arbitrageRate ?? 0);
        return names.map((name, i) => {
          const price = prices[i] ?? 1.01;
          // The deliberate error: the last outcome priced 35 % long.
          const quoted = mispriced && i === names.length - 1 ? Math.round(price * 135) / 100 : price;
          return { name, price: Math.min(1000, quoted) };
        });
      }
      const lean = 0.5 + bookmaker.skew / 5;
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
