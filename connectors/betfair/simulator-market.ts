import type { MarketChange, MarketDefinition, RunnerChange, RunnerStatus } from './protocol.js';
import { ticksAway, toTick } from './price-ladder.js';
import { gaussian, type Random } from '../../src/core/sim/random.js';

interface Level {
  price: number;
  size: number;
}

interface SimRunner {
  id: number;
  status: RunnerStatus;
  /** Log-strength: probabilities are a softmax of these over active runners. */
  strength: number;
  /** This exchange's own small departure from a shared race's form. */
  own: number;
  back: Level[];
  lay: Level[];
  ltp: number | null;
  tv: number;
  bsp: number | null;
  removalDate: string | null;
}

export interface SimMarketSpec {
  id: string;
  eventId: string;
  eventTypeId: string;
  marketType: string;
  venue: string;
  countryCode: string;
  timezone: string;
  marketTime: number;
  numberOfWinners: number;
  selectionIds: readonly number[];
  ladderLevels: number;
  /** What only the catalogue tells (the stream's definitions carry no names). */
  eventName: string;
  marketName: string;
  /** Same order as selectionIds. */
  runnerNames: readonly string[];
  /** The race of the shared race card, for horse races. */
  raceIndex: number | null;
  /** The shared race this market is on: its form and non-runners rule the prices. */
  race: SimRaceLink | null;
}

/** What a market on a race of a shared race card follows, so that every simulator agrees. */
export interface SimRaceLink {
  /** The runners' log-strengths at `time`, in the order of selectionIds. */
  form(time: number): readonly number[];
  /** Runners withdrawn from the race (selection ids): taken out of this market too. */
  withdrawn(): ReadonlySet<number>;
  withdraw(selectionId: number): void;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * One simulated exchange market. Prices follow a random walk of runner strengths; the back
 * book is kept near 100–103 % and the lay book near 97–100 % (per place paid), on the real
 * tick ladder. Every method returns the market change Betfair would send for it.
 */
export class SimMarket {
  status: 'OPEN' | 'SUSPENDED' | 'CLOSED' = 'OPEN';
  inPlay = false;
  private version = 1;
  private readonly runners: SimRunner[];
  private backMargin: number;
  private layMargin: number;

  constructor(
    readonly spec: SimMarketSpec,
    private readonly random: Random,
    /** When it opens: where a shared race's form stands. */
    time: number,
  ) {
    const form = spec.race?.form(time);
    this.runners = spec.selectionIds.map((id, i) => ({
      id,
      status: 'ACTIVE',
      strength: form?.[i] ?? gaussian(random) * 0.9,
      own: 0,
      back: [],
      lay: [],
      ltp: null,
      tv: 0,
      bsp: null,
      removalDate: null,
    }));
    this.backMargin = 1.01 + random() * 0.01;
    this.layMargin = 0.98 + random() * 0.01;
    this.reprice(undefined);
  }

  get id(): string {
    return this.spec.id;
  }

  activeRunnerIds(): number[] {
    return this.runners.filter((r) => r.status === 'ACTIVE').map((r) => r.id);
  }

  definition(): MarketDefinition {
    const { spec } = this;
    const time = new Date(spec.marketTime).toISOString();
    return {
      eventTypeId: spec.eventTypeId,
      eventId: spec.eventId,
      marketType: spec.marketType,
      status: this.status,
      inPlay: this.inPlay,
      numberOfWinners: spec.numberOfWinners,
      bettingType: 'ODDS',
      venue: spec.venue,
      countryCode: spec.countryCode,
      timezone: spec.timezone,
      marketTime: time,
      openDate: time,
      bspMarket: true,
      version: this.version,
      numberOfActiveRunners: this.activeRunnerIds().length,
      runners: this.runners.map((r, i) => ({
        id: r.id,
        sortPriority: i + 1,
        status: r.status,
        ...(r.bsp !== null ? { bsp: r.bsp } : {}),
        ...(r.removalDate !== null ? { removalDate: r.removalDate } : {}),
      })),
    };
  }

  image(): MarketChange {
    const rc: RunnerChange[] = this.runners.map((r) => ({
      id: r.id,
      ...(r.ltp !== null ? { ltp: r.ltp, tv: round2(r.tv) } : {}),
      batb: r.back.map((l, level) => [level, l.price, l.size]),
      batl: r.lay.map((l, level) => [level, l.price, l.size]),
    }));
    return { id: this.id, img: true, marketDefinition: this.definition(), tv: this.totalMatched(), rc };
  }

  /** Active runners the shared race has withdrawn: to be removed here too. */
  withdrawnRunners(): number[] {
    const withdrawn = this.spec.race?.withdrawn();
    if (withdrawn === undefined || withdrawn.size === 0) return [];
    return this.activeRunnerIds().filter((id) => withdrawn.has(id));
  }

  /**
   * One price move (and maybe a trade) on a random runner; undefined when the market is not open.
   * On a shared race every runner follows the race's form at `time`, with a small drift of its own.
   */
  step(time: number): MarketChange | undefined {
    const active = this.runners.filter((r) => r.status === 'ACTIVE');
    const mover = active[Math.floor(this.random() * active.length)];
    if (this.status !== 'OPEN' || mover === undefined) return undefined;
    const form = this.spec.race?.form(time);
    if (form === undefined) {
      mover.strength = Math.max(-4, Math.min(4, mover.strength + gaussian(this.random) * 0.08));
    } else {
      mover.own = Math.max(-0.03, Math.min(0.03, mover.own + gaussian(this.random) * 0.01));
      this.runners.forEach((r, i) => (r.strength = (form[i] ?? r.strength) + r.own));
    }
    this.backMargin = Math.max(1.005, Math.min(1.02, this.backMargin + (this.random() - 0.5) * 0.002));
    this.layMargin = Math.max(0.98, Math.min(0.995, this.layMargin + (this.random() - 0.5) * 0.002));
    const changes = this.reprice(mover);
    const best = mover.back[0];
    if (best !== undefined && this.random() < 0.5) {
      mover.ltp = best.price;
      mover.tv += round2(2 + this.random() * 48);
      const change = changes.get(mover.id) ?? { id: mover.id };
      changes.set(mover.id, { ...change, ltp: mover.ltp, tv: round2(mover.tv) });
    }
    return { id: this.id, tv: this.totalMatched(), rc: [...changes.values()] };
  }

  setStatus(status: 'OPEN' | 'SUSPENDED', inPlay = this.inPlay): MarketChange {
    this.status = status;
    this.inPlay = inPlay;
    this.version++;
    return { id: this.id, marketDefinition: this.definition() };
  }

  /** Scratches a runner: its prices go, the others reprice over the remaining field. */
  removeRunner(selectionId?: number): MarketChange | undefined {
    const active = this.runners.filter((r) => r.status === 'ACTIVE');
    const runner =
      selectionId === undefined
        ? active[Math.floor(this.random() * active.length)]
        : active.find((r) => r.id === selectionId);
    if (runner === undefined || active.length <= this.spec.numberOfWinners + 1) return undefined;
    this.spec.race?.withdraw(runner.id);
    runner.status = 'REMOVED';
    runner.removalDate = new Date(this.spec.marketTime).toISOString();
    this.version++;
    const changes = this.reprice(undefined);
    return { id: this.id, marketDefinition: this.definition(), rc: [...changes.values()] };
  }

  /** Closes the market: winners drawn by probability (or given), BSPs set, ladders emptied. */
  settle(winnerIds?: readonly number[]): MarketChange {
    const probabilities = this.probabilities();
    const winners = new Set(winnerIds ?? this.draw(probabilities));
    for (const runner of this.runners) {
      if (runner.status !== 'ACTIVE') continue;
      runner.status = winners.has(runner.id) ? 'WINNER' : 'LOSER';
      runner.bsp = round2(1 / (probabilities.get(runner.id) ?? 0.5));
    }
    const rc = this.runners
      .filter((r) => r.back.length + r.lay.length > 0)
      .map((r) => ({ id: r.id, batb: clear(r.back), batl: clear(r.lay) }));
    for (const runner of this.runners) {
      runner.back = [];
      runner.lay = [];
    }
    this.status = 'CLOSED';
    this.version++;
    return { id: this.id, marketDefinition: this.definition(), rc };
  }

  private totalMatched(): number {
    return round2(this.runners.reduce((sum, r) => sum + r.tv, 0));
  }

  /**
   * Probability of finishing in the places paid: proportional to exp(strength), summing to the
   * number of places, none above 0.97 (what a capped runner cannot take goes to the others).
   */
  private probabilities(): Map<number, number> {
    const active = this.runners.filter((r) => r.status === 'ACTIVE');
    const places = Math.min(this.spec.numberOfWinners, active.length);
    const cap = 0.97;
    const capped = new Set<number>();
    let scale = 0;
    for (let changed = true; changed;) {
      const free = active.filter((r) => !capped.has(r.id));
      scale = (places - cap * capped.size) / free.reduce((sum, r) => sum + Math.exp(r.strength), 0);
      const over = free.filter((r) => Math.exp(r.strength) * scale > cap);
      for (const r of over) capped.add(r.id);
      changed = over.length > 0;
    }
    return new Map(
      active.map((r) => [r.id, capped.has(r.id) ? cap : Math.max(0.002, Math.exp(r.strength) * scale)]),
    );
  }

  private draw(probabilities: Map<number, number>): number[] {
    const pool = new Map(probabilities);
    const winners: number[] = [];
    while (winners.length < this.spec.numberOfWinners && pool.size > 0) {
      let pick = this.random() * [...pool.values()].reduce((a, b) => a + b, 0);
      for (const [id, p] of pool) {
        pick -= p;
        if (pick <= 0 || id === [...pool.keys()].at(-1)) {
          winners.push(id);
          pool.delete(id);
          break;
        }
      }
    }
    return winners;
  }

  /**
   * New ladders for every active runner (an emptied one for removed runners); returns the level
   * changes, as triples, of the runners whose ladders moved. The mover's best sizes change too.
   */
  private reprice(mover: SimRunner | undefined): Map<number, RunnerChange> {
    const probabilities = this.probabilities();
    const changes = new Map<number, RunnerChange>();
    for (const runner of this.runners) {
      const p = probabilities.get(runner.id);
      const back: Level[] = [];
      const lay: Level[] = [];
      if (p !== undefined) {
        const bestBack = toTick(1 / (p * this.backMargin), 'nearest');
        let bestLay = toTick(1 / (p * this.layMargin), 'nearest');
        if (bestLay <= bestBack) bestLay = ticksAway(bestBack, 1);
        for (let level = 0; level < this.spec.ladderLevels; level++) {
          back.push(this.level(ticksAway(bestBack, -level), runner.back[level], runner === mover));
          lay.push(this.level(ticksAway(bestLay, level), runner.lay[level], runner === mover));
        }
      }
      const batb = diff(runner.back, back);
      const batl = diff(runner.lay, lay);
      runner.back = back;
      runner.lay = lay;
      if (batb.length + batl.length > 0) {
        changes.set(runner.id, {
          id: runner.id,
          ...(batb.length ? { batb } : {}),
          ...(batl.length ? { batl } : {}),
        });
      }
    }
    return changes;
  }

  private level(price: number, previous: Level | undefined, resize: boolean): Level {
    if (previous !== undefined && previous.price === price && !resize) return previous;
    return { price, size: round2(2 + this.random() * 198) };
  }
}

function diff(before: readonly Level[], after: readonly Level[]): [number, number, number][] {
  const triples: [number, number, number][] = [];
  for (let level = 0; level < Math.max(before.length, after.length); level++) {
    const was = before[level];
    const now = after[level];
    if (now === undefined) triples.push([level, 0, 0]);
    else if (was === undefined || was.price !== now.price || was.size !== now.size) {
      triples.push([level, now.price, now.size]);
    }
  }
  return triples;
}

function clear(levels: readonly Level[]): [number, number, number][] {
  return levels.map((_, level) => [level, 0, 0]);
}
