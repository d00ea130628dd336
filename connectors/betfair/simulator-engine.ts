import type { MarketChange } from './protocol.js';
import type { MarketFilter } from './requests.js';
import { seededRandom, type Random } from '../../src/core/sim/random.js';
import { RaceCard } from '../../src/core/sim/race-card.js';
import type { MarketCatalogue } from './betting-api.js';
import { greyhoundRace, horseRaceSpec, marketCatalogue } from './simulator-races.js';
import { SimMarket, type SimMarketSpec } from './simulator-market.js';

export interface SimEngineOptions {
  seed: number;
  markets: number;
  runnersPerMarket: number;
  /** Markets are spread over these event types in turn: 7 horse racing, 4339 greyhounds. */
  eventTypeIds: readonly string[];
  ladderLevels: number;
  /**
   * Ticks a market lives: half-way a runner may be scratched, near the end the market is
   * suspended, turns in-play and settles; a new market takes its place. Unset: markets live forever.
   */
  marketLifetimeTicks: number | undefined;
  /** Changes kept to serve resubscriptions with clocks (RESUB_DELTA). */
  historySize: number;
  /** Publish time of the change numbered `seq` (wall clock by default; fixed in tests). */
  publishTime: (seq: number) => number;
  /**
   * The horse races to open markets on; shared with another simulator, the same races are quoted
   * there. Default: a card of this seed whose first race goes off 5 min after publishTime(0).
   */
  raceCard?: RaceCard | undefined;
}

/** One published change: the unit of the stream, its clock is its number. */
export interface SimChange {
  seq: number;
  pt: number;
  mc: MarketChange[];
}

/**
 * The simulated exchange: its markets, the numbered changes they produced, and the history
 * kept to resume subscriptions. Deterministic for a seed and a sequence of calls.
 */
export class SimEngine {
  seq = 0;
  private generation = 0;
  private created = 0;
  private cursor = 0;
  private readonly random: Random;
  private readonly markets: SimMarket[] = [];
  private readonly ages = new Map<string, number>();
  private readonly specs = new Map<string, SimMarketSpec>();
  private readonly history: SimChange[] = [];
  private readonly card: RaceCard;
  private horseMarkets = 0;
  private nextRace = 0;

  constructor(private readonly options: SimEngineOptions) {
    this.random = seededRandom(options.seed);
    this.card =
      options.raceCard ??
      new RaceCard({
        seed: options.seed,
        firstStart: options.publishTime(0) + 5 * 60_000,
        runners: options.runnersPerMarket,
      });
    for (let i = 0; i < options.markets; i++) this.markets.push(this.createMarket());
  }

  /** Token of the current clock epoch; clocks of another epoch get INVALID_CLOCK. */
  get initialClk(): string {
    return `sim-${this.options.seed}-${this.generation}`;
  }

  clk(seq = this.seq): string {
    return Buffer.from(`${this.generation}:${seq}`).toString('base64');
  }

  /** The change number a clock stands for, or undefined when it is not one of this epoch. */
  seqOf(clk: string): number | undefined {
    const match = /^(\d+):(\d+)$/.exec(Buffer.from(clk, 'base64').toString());
    return match?.[1] === String(this.generation) ? Number(match[2]) : undefined;
  }

  invalidateClocks(): void {
    this.generation++;
  }

  marketIds(): string[] {
    return this.markets.map((m) => m.id);
  }

  market(id: string): SimMarket | undefined {
    return this.markets.find((m) => m.id === id);
  }

  /**
   * What listMarketCatalogue says about these markets: the open ones this exchange lists (a
   * settled market has left the catalogue, as on Betfair), in the order asked.
   */
  catalogue(marketIds: readonly string[]): MarketCatalogue[] {
    const open = new Set(this.markets.filter((m) => m.status !== 'CLOSED').map((m) => m.id));
    return marketIds.flatMap((id) => {
      const spec = this.specs.get(id);
      return spec !== undefined && open.has(id) ? [marketCatalogue(spec)] : [];
    });
  }

  matches(marketId: string, filter: MarketFilter | undefined): boolean {
    const spec = this.specs.get(marketId);
    if (spec === undefined || filter === undefined) return spec !== undefined;
    const has = (list: readonly string[] | undefined, value: string) =>
      list === undefined || list.includes(value);
    return (
      has(filter.marketIds, spec.id) &&
      has(filter.eventIds, spec.eventId) &&
      has(filter.eventTypeIds, spec.eventTypeId) &&
      has(filter.marketTypes, spec.marketType) &&
      has(filter.countryCodes, spec.countryCode) &&
      has(filter.venues, spec.venue)
    );
  }

  /** Images of the markets a new subscription sees: closed ones have left the exchange. */
  image(): MarketChange[] {
    return this.markets.filter((m) => m.status !== 'CLOSED').map((m) => m.image());
  }

  /** Changes after `seq`, or undefined when some of them are no longer kept. */
  since(seq: number): SimChange[] | undefined {
    if (seq > this.seq) return undefined;
    const first = this.history[0];
    if (seq < this.seq && (first === undefined || first.seq > seq + 1)) return undefined;
    return this.history.filter((c) => c.seq > seq);
  }

  /** Moves the next market one step along its life; undefined when nothing changed. */
  tick(): SimChange | undefined {
    const market = this.markets[this.cursor++ % this.markets.length];
    if (market === undefined) return undefined;
    const age = (this.ages.get(market.id) ?? 0) + 1;
    this.ages.set(market.id, age);
    // A runner withdrawn from the race on another market (or simulator) leaves this one first.
    const withdrawn = market.withdrawnRunners()[0];
    const removal = withdrawn === undefined ? undefined : market.removeRunner(withdrawn);
    if (removal !== undefined) return this.record([removal]);
    const time = this.options.publishTime(this.seq + 1);
    const lifetime = this.options.marketLifetimeTicks;
    if (lifetime === undefined) return this.record([market.step(time)]);
    const suspendAt = Math.floor(lifetime * 0.85);
    if (age >= lifetime) return this.replace(market);
    if (age === suspendAt) return this.record([market.setStatus('SUSPENDED')]);
    if (age === suspendAt + 1) return this.record([market.setStatus('OPEN', true)]);
    if (age === Math.floor(lifetime / 2) && this.random() < 0.35) return this.record([market.removeRunner()]);
    return this.record([market.step(time)]);
  }

  /** Settles a market and, when markets have a lifetime, opens its successor in the same change. */
  replace(market: SimMarket, winners?: readonly number[]): SimChange | undefined {
    const closed = market.settle(winners);
    // The WIN market settles when the race has been run: the bookmakers' markets close too.
    const race = market.spec.raceIndex;
    if (race !== null && market.spec.marketType === 'WIN') this.card.finished(race);
    if (this.options.marketLifetimeTicks === undefined) return this.record([closed]);
    const next = this.createMarket();
    this.markets[this.markets.indexOf(market)] = next;
    this.ages.delete(market.id);
    return this.record([closed, next.image()]);
  }

  record(changes: readonly (MarketChange | undefined)[]): SimChange | undefined {
    const mc = changes.filter((c): c is MarketChange => c !== undefined);
    if (mc.length === 0) return undefined;
    this.seq++;
    const change = { seq: this.seq, pt: this.options.publishTime(this.seq), mc };
    this.history.push(change);
    if (this.history.length > this.options.historySize) this.history.shift();
    return change;
  }

  private createMarket(): SimMarket {
    const n = this.created++;
    const eventTypeId = this.options.eventTypeIds[n % this.options.eventTypeIds.length] ?? '7';
    const common = { id: `1.${230000000 + n}`, eventTypeId, ladderLevels: this.options.ladderLevels };
    let spec: SimMarketSpec;
    if (eventTypeId === '4339') {
      const runners = Math.min(6, this.options.runnersPerMarket);
      const marketTime = this.options.publishTime(0) + (n + 1) * 5 * 60_000;
      spec = { ...common, ...greyhoundRace(n, marketTime, runners, this.random), race: null };
    } else {
      // Horse races come as a WIN and a PLACE market on the same race, as Betfair lists them.
      const place = this.horseMarkets++ % 2 === 1;
      const race = this.card.race(place ? this.nextRace - 1 : this.nextRace++);
      this.card.opened(race.index);
      const card = this.card;
      spec = {
        ...common,
        ...horseRaceSpec(race, place ? 'PLACE' : 'WIN'),
        race: {
          form: (time) => card.form(race, time),
          withdrawn: () => card.withdrawn(race.index),
          withdraw: (selectionId) => card.withdraw(race.index, selectionId),
        },
      };
    }
    this.specs.set(spec.id, spec);
    return new SimMarket(spec, this.random, this.options.publishTime(this.seq));
  }
}
