/**
 * The market model behind the WebSocket simulator: events whose true probabilities follow a
 * seeded random walk on the logit scale, quoted by several bookmakers with their own margins and
 * price formats, with scratched runners and closing markets. Deterministic for a seed.
 */

import type { CardRace } from '../../src/core/sim/race-card.js';
import { drawPair, pairKey, teamsFor, utcDay } from '../../src/core/sim/names.js';
import { gaussian } from '../../src/core/sim/random.js';

export type SimPriceFormat = 'decimal' | 'fractional' | 'american';

export interface SimBookmaker {
  key: string;
  format: SimPriceFormat;
  /** Multiplicative margin: the book sums to about 1 + margin before rounding. */
  margin: number;
}

export const defaultSimBookmakers: readonly SimBookmaker[] = [
  { key: 'northbet', format: 'decimal', margin: 0.04 },
  { key: 'crown-sports', format: 'fractional', margin: 0.05 },
  { key: 'libertyline', format: 'american', margin: 0.045 },
  { key: 'eastgate', format: 'decimal', margin: 0.07 },
];

export const simSports = ['soccer_epl', 'basketball_nba', 'horse_racing'] as const;
export type SimSport = (typeof simSports)[number];

interface SimRunner {
  id: string;
  name: string;
  /** The horse of the shared race card; null for teams. */
  horseId: number | null;
  logit: number;
  /** Where the walk is pulled back to, so prices wander without drifting to 1.01 or 1000. */
  anchor: number;
  scratched: boolean;
}

export interface SimEvent {
  id: string;
  sport: SimSport;
  name: string;
  league: string;
  /** Racecourse of a race; null for matches. */
  venue: string | null;
  /** The race of the shared race card this event is. */
  race: CardRace | null;
  home: string | null;
  away: string | null;
  startsAt: number;
  live: boolean;
  marketKey: string;
  marketName: string;
  places: number | null;
  status: 'open' | 'suspended' | 'closed';
  runners: SimRunner[];
  updatesLeft: number;
  liveAfter: number | null;
}

/**
 * The pairs already drawn per UTC day, so one day never has two games of the same teams (which
 * would share a canonical event id until the pipeline tells them apart by start time).
 */
export type PairsByDay = Map<string, Set<string>>;

export function probabilities(event: SimEvent): number[] {
  const active = event.runners.map((r) => (r.scratched ? 0 : Math.exp(r.logit)));
  const total = active.reduce((a, b) => a + b, 0);
  return active.map((w) => w / total);
}

/** A bookmaker's title for a race: the local off time and the course, "14:05 Ascot". */
function raceTitle(race: CardRace): string {
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: race.timezone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(race.startTime);
  return `${time} ${race.venue}`;
}

/**
 * A new event. A horse race is a race of the shared card (`race`): its course, off time and
 * runners, named as a bookmaker prints them ("Gap Year (IRE)"), so that it joins the exchange's
 * markets on the same race.
 */
export function createEvent(
  sport: SimSport,
  serial: number,
  now: number,
  msPerUpdate: number,
  random: () => number,
  race?: CardRace,
  pairs: PairsByDay = new Map(),
): SimEvent {
  const id = `sim-${sport}-${serial}`;
  const updatesLeft = 150 + Math.floor(random() * 150);
  if (sport === 'horse_racing') {
    if (race === undefined) throw new Error('a simulated horse race needs a race of the card');
    const runners = race.runners.map((r) => ({
      id: `${id}:r${r.cloth}`,
      name: r.bred === null ? r.name : `${r.name} (${r.bred})`,
      horseId: r.horseId,
      logit: r.strength,
      anchor: r.strength,
      scratched: false,
    }));
    return {
      id,
      sport,
      name: raceTitle(race),
      league: race.venue,
      venue: race.venue,
      race,
      home: null,
      away: null,
      startsAt: race.startTime,
      live: false,
      marketKey: 'win',
      marketName: 'Win',
      places: 1,
      status: 'open',
      runners,
      updatesLeft,
      liveAfter: null,
    };
  }
  const liveAfter = Math.floor(updatesLeft * 0.6);
  const startsAt = now + (updatesLeft - liveAfter) * msPerUpdate;
  const day = utcDay(startsAt);
  const played = pairs.get(day) ?? new Set<string>();
  const [home, away] = drawPair(teamsFor(sport, 1), random, played);
  played.add(pairKey(home, away));
  pairs.set(day, played);
  for (const known of pairs.keys()) if (known < utcDay(now - 4 * 86_400_000)) pairs.delete(known);
  const strength = Math.max(-0.8, Math.min(0.8, gaussian(random) * 0.5));
  const sides = sport === 'soccer_epl' ? ['home', 'draw', 'away'] : ['home', 'away'];
  const runners = sides.map((side) => {
    const logit = side === 'home' ? strength : side === 'away' ? -strength : -0.4;
    const name = side === 'home' ? home : side === 'away' ? away : 'Draw';
    return { id: `${id}:${side}`, name, horseId: null, logit, anchor: logit, scratched: false };
  });
  return {
    id,
    sport,
    name: `${home} v ${away}`,
    league: sport === 'soccer_epl' ? 'English Premier League' : 'NBA',
    venue: null,
    race: null,
    home,
    away,
    startsAt,
    live: false,
    marketKey: sport === 'soccer_epl' ? 'h2h_3way' : 'h2h',
    marketName: sport === 'soccer_epl' ? 'Match Result' : 'Moneyline',
    places: null,
    status: 'open',
    runners,
    updatesLeft,
    liveAfter,
  };
}

/** Where a race of the shared card stands now, as every simulator sees it. */
export interface RaceNow {
  /** Log-strengths of the card's runners, in card order. */
  form: readonly number[];
  /** Horses withdrawn from the race. */
  withdrawn: ReadonlySet<number>;
  /** The race has been run: its markets close. */
  run: boolean;
}

/**
 * One step of an event: the walk moves every runner, a horse may be scratched (never below three
 * runners), a match may go in play; the last update closes the market. A race of the shared card
 * follows the card instead (`race`): its form, its non-runners, and its off. A withdrawal
 * suspends the market for the step.
 */
export function stepEvent(event: SimEvent, random: () => number, race?: RaceNow): void {
  event.updatesLeft -= 1;
  if (event.updatesLeft <= 0 || race?.run === true) {
    event.status = 'closed';
    return;
  }
  if (race !== undefined) {
    let withdrawnNow = false;
    event.runners.forEach((runner, i) => {
      runner.logit = race.form[i] ?? runner.logit;
      if (runner.horseId !== null && race.withdrawn.has(runner.horseId) && !runner.scratched) {
        runner.scratched = withdrawnNow = true;
      }
    });
    // A withdrawal reprices every other runner: bookmakers suspend while they do, as on course.
    event.status = random() < 0.02 || withdrawnNow ? 'suspended' : 'open';
    return;
  }
  // One update moves a price by about 1 % (in play 2 %), less than any bookmaker's margin: books
  // quoted an update apart never add up to an arbitrage (the deliberate ones are arbitrageRate's).
  // The draw is cut at two standard deviations: a rarer, larger in-play move made books a few
  // milliseconds apart add up to 0.998 now and then (3 test runs in 20 under CPU load).
  const volatility = event.live ? 0.04 : 0.02;
  for (const runner of event.runners) {
    const step = Math.max(-2, Math.min(2, gaussian(random))) * volatility;
    const next = runner.logit + 0.05 * (runner.anchor - runner.logit) + step;
    runner.logit = Math.max(runner.anchor - 0.6, Math.min(runner.anchor + 0.6, next));
  }
  if (event.liveAfter !== null && event.updatesLeft <= event.liveAfter) event.live = true;
  const running = event.runners.filter((r) => !r.scratched);
  let scratchedNow = false;
  if (event.sport === 'horse_racing' && running.length > 3 && random() < 0.01) {
    const victim = running[Math.floor(random() * running.length)];
    if (victim !== undefined) victim.scratched = scratchedNow = true;
  }
  // A withdrawal reprices every other runner: bookmakers suspend while they do, as on course.
  event.status = random() < 0.02 || scratchedNow ? 'suspended' : 'open';
}

// The traditional UK fractional ladder: bookmakers print these, not arbitrary fractions.
const fractionalLadder = (
  '1/100 1/50 1/33 1/25 1/20 1/16 1/14 1/12 1/10 1/8 1/7 1/6 1/5 2/9 1/4 2/7 3/10 1/3 4/11 2/5 4/9 1/2 8/15 4/7 8/13 4/6 8/11 ' +
  '4/5 5/6 10/11 1/1 21/20 11/10 6/5 5/4 11/8 6/4 13/8 7/4 15/8 2/1 9/4 5/2 11/4 3/1 10/3 7/2 4/1 9/2 5/1 ' +
  '11/2 6/1 13/2 7/1 15/2 8/1 17/2 9/1 10/1 11/1 12/1 14/1 16/1 18/1 20/1 22/1 25/1 28/1 33/1 40/1 50/1 ' +
  '66/1 80/1 100/1 150/1 200/1 250/1 500/1'
)
  .split(' ')
  .map((text) => {
    const [num = 1, den = 1] = text.split('/').map(Number);
    return { text, value: num / den };
  });

export interface PrintedPrice {
  text: string;
  /** The decimal odds the printed text stands for (after rounding). */
  decimal: number;
}

/** Odds as a bookmaker would print them, always rounded against the bettor. */
export function printPrice(decimal: number, format: SimPriceFormat): PrintedPrice {
  const d = Math.min(500, Math.max(1.01, decimal));
  if (format === 'decimal') {
    const rounded = Math.floor(d * 100) / 100;
    return { text: rounded.toFixed(2), decimal: rounded };
  }
  if (format === 'american') {
    if (d >= 2) {
      const plus = Math.floor((d - 1) * 100);
      return { text: `+${plus}`, decimal: 1 + plus / 100 };
    }
    const minus = Math.ceil(100 / (d - 1));
    return { text: `-${minus}`, decimal: 1 + 100 / minus };
  }
  let best = fractionalLadder[0] ?? { text: '1/100', value: 0.01 };
  for (const step of fractionalLadder) if (step.value <= d - 1 + 1e-9) best = step;
  return { text: best.text, decimal: 1 + best.value };
}

export interface SimOutcome {
  id: string;
  name: string;
  price: string | null;
  status: 'active' | 'scratched';
}

/** Book percentages a quote is kept within (102–110 %), as real bookmakers' books are. */
export const simBookRange = { min: 1.02, max: 1.1 } as const;

/** How far a deliberate pricing error (simulator option arbitrageRate) lengthens one price. */
export const mispriceFactor = 1.35;

/**
 * A bookmaker's view of the event: true probabilities, its margin and a little noise of its own.
 * Rounding to the printed format moves the book; the margin is nudged until it sits in range.
 * `mispricedRunner` is priced mispriceFactor too long: a deliberate error that opens an arbitrage
 * against the other bookmakers' books of the same instant.
 */
export function quote(
  event: SimEvent,
  bookmaker: SimBookmaker,
  random: () => number,
  mispricedRunner?: string,
): SimOutcome[] {
  const probs = probabilities(event);
  const noise = event.runners.map(() => 1 + gaussian(random) * 0.004);
  let margin = bookmaker.margin;
  let prices: (PrintedPrice | null)[] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    prices = event.runners.map((runner, i) => {
      if (runner.scratched) return null;
      const p = Math.min(0.98, (probs[i] ?? 0) * (1 + margin) * (noise[i] ?? 1));
      return printPrice(1 / p, bookmaker.format);
    });
    const book = prices.reduce((sum, price) => sum + (price === null ? 0 : 1 / price.decimal), 0);
    if (book < simBookRange.min) margin += simBookRange.min - book + 0.003;
    else if (book > simBookRange.max) margin -= book - simBookRange.max + 0.003;
    else break;
  }
  return event.runners.map((runner, i) => {
    const printed = prices[i] ?? null;
    const price =
      printed !== null && runner.id === mispricedRunner
        ? printPrice(printed.decimal * mispriceFactor, bookmaker.format)
        : printed;
    return price === null
      ? { id: runner.id, name: runner.name, price: null, status: 'scratched' }
      : { id: runner.id, name: runner.name, price: price.text, status: 'active' };
  });
}
