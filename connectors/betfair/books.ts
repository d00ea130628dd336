import type {
  RawMarketBook,
  RawResult,
  RawRunnerResult,
  RawSelection,
} from '../../src/core/generated/avro-types.js';
import { runnerKey, topLevels, type RunnerState, type Side } from './ladders.js';
import type { CacheUpdate, MarketState } from './market-cache.js';
import {
  finiteOrNull,
  PROVIDER,
  type MarketChange,
  type MarketDefinition,
  type RunnerDefinition,
} from './protocol.js';

export const BOOKMAKER = 'betfair';
const sides: readonly Side[] = ['back', 'lay'];

export interface BuiltRecords {
  books: RawMarketBook[];
  results: RawResult[];
}

type Header = Pick<
  RawMarketBook,
  | 'sourceEventId'
  | 'sourceMarketId'
  | 'sport'
  | 'competition'
  | 'eventName'
  | 'homeTeam'
  | 'awayTeam'
  | 'venue'
  | 'raceNumber'
  | 'startTime'
  | 'marketType'
  | 'marketName'
  | 'numberOfPlaces'
>;

/** INACTIVE (not yet open for betting) takes no bets, which for a book means SUSPENDED. */
function bookStatus(definition: MarketDefinition): string {
  return definition.status === 'INACTIVE' ? 'SUSPENDED' : definition.status;
}

function selectionStatus(runner: RunnerDefinition): string {
  return runner.status === 'REMOVED_VACANT' ? 'REMOVED' : runner.status;
}

/** Runners in the order Betfair ranks them; HIDDEN runners are not offered, so not shown. */
function visibleRunners(definition: MarketDefinition): RunnerDefinition[] {
  return definition.runners
    .filter((r) => r.status !== 'HIDDEN')
    .sort((a, b) => (a.sortPriority ?? 0) - (b.sortPriority ?? 0));
}

function parseTime(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** Racing market names start with the race number ("R3 1200m Hcap"), in AU and US races. */
export function raceNumberOf(marketName: string | null): number | null {
  const race = marketName === null ? null : /^R(\d{1,2})\b/.exec(marketName);
  return race?.[1] === undefined ? null : Number(race[1]);
}

function header(market: MarketState, definition: MarketDefinition): Header {
  const name = definition.name ?? null;
  return {
    sourceEventId: definition.eventId,
    sourceMarketId: market.id,
    sport: definition.eventTypeId,
    competition: null,
    eventName: definition.eventName ?? null,
    homeTeam: null,
    awayTeam: null,
    venue: definition.venue ?? null,
    raceNumber: raceNumberOf(name),
    startTime: parseTime(definition.marketTime),
    marketType: definition.marketType,
    marketName: name,
    // PLACE and OTHER_PLACE (2/4 to be placed) pay numberOfWinners places.
    numberOfPlaces: definition.marketType.endsWith('PLACE') ? (definition.numberOfWinners ?? null) : null,
  };
}

/** Levels of each side a book carries: what a trader sees of the ladder beyond the best price. */
export const DEPTH_LEVELS = 3;

function selection(definition: RunnerDefinition, runner: RunnerState | undefined, side: Side): RawSelection {
  const status = selectionStatus(definition);
  // A removed runner's ladder is history, not an offer; its traded figures still are facts.
  const depth = status === 'REMOVED' || runner === undefined ? [] : topLevels(runner, side, DEPTH_LEVELS);
  const best = depth[0];
  return {
    sourceSelectionId: String(definition.id),
    name: definition.name ?? null,
    price: best === undefined ? null : String(best.price),
    point: definition.hc ? definition.hc : null,
    size: best?.size ?? null,
    status,
    // A bet names the runner by selection id and handicap; 0 is Betfair's "no handicap".
    handicap: definition.hc ?? 0,
    lastTradedPrice: runner?.ltp ?? null,
    tradedVolume: runner?.tv ?? null,
    depth,
    bspNear: runner?.spn ?? null,
    bspFar: runner?.spf ?? null,
  };
}

/** What a book's record says, as far as deciding whether it changed goes. */
interface BookState {
  status: string;
  inPlay: boolean;
  numberOfPlaces: number | null;
  marketBaseRate: number | null;
  totalMatched: number | null;
  selections: readonly RawSelection[];
}

function sameDepth(a: RawSelection['depth'], b: RawSelection['depth']): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.price !== b[i]!.price || a[i]!.size !== b[i]!.size) return false;
  }
  return true;
}

/**
 * Field by field rather than by comparing JSON: serialising every book twice a frame took a third
 * of the connector's decoding time (bench/README.md). Selections hold scalars and the depth.
 */
function sameBook(a: BookState, b: BookState): boolean {
  if (a.status !== b.status || a.inPlay !== b.inPlay || a.numberOfPlaces !== b.numberOfPlaces) return false;
  if (a.marketBaseRate !== b.marketBaseRate || a.totalMatched !== b.totalMatched) return false;
  if (a.selections.length !== b.selections.length) return false;
  for (let i = 0; i < a.selections.length; i++) {
    const x = a.selections[i]!;
    const y = b.selections[i]!;
    for (const field of Object.keys(x) as (keyof RawSelection)[]) {
      if (field === 'depth' ? !sameDepth(x.depth, y.depth) : x[field] !== y[field]) return false;
    }
  }
  return true;
}

/**
 * Turns cache updates into the records of odds.raw and results.raw: one book per market and
 * side whose prices or statuses changed, and one result per market once it is settled.
 */
export class BookBuilder {
  private readonly emitted = new Map<string, BookState>();
  private readonly resulted = new Set<string>();

  /** `changeText` gives a market change as the provider sent it, for the records' payload. */
  constructor(private readonly changeText: (change: MarketChange) => string = (c) => JSON.stringify(c)) {}

  build(update: CacheUpdate, receivedAt: number): BuiltRecords {
    for (const id of update.evicted) this.forget(id);
    const records: BuiltRecords = { books: [], results: [] };
    for (const { market, changes } of update.markets) {
      const definition = market.definition;
      if (definition === null) continue;
      let json: string | undefined;
      const payload = () => (json ??= `[${changes.map(this.changeText).join(',')}]`);
      const head = header(market, definition);
      const runners = visibleRunners(definition);
      for (const side of sides) {
        const book = this.book(
          market,
          definition,
          runners,
          head,
          side,
          update.publishTime,
          receivedAt,
          payload,
        );
        if (book !== undefined) records.books.push(book);
      }
      const result = this.result(market, definition, runners, head, update.publishTime, receivedAt, payload);
      if (result !== undefined) records.results.push(result);
    }
    return records;
  }

  /** Records what the cache holds as already published (after restoring it on restart). */
  prime(markets: Iterable<MarketState>): void {
    const update: CacheUpdate = { publishTime: 0, changeType: undefined, evicted: [], markets: [] };
    for (const market of markets) update.markets.push({ market, changes: [] });
    this.build(update, 0);
  }

  forget(marketId: string): void {
    for (const side of sides) this.emitted.delete(`${marketId}:${side}`);
    this.resulted.delete(marketId);
  }

  private book(
    market: MarketState,
    definition: MarketDefinition,
    runners: readonly RunnerDefinition[],
    head: Header,
    side: Side,
    eventTime: number,
    receivedAt: number,
    payload: () => string,
  ): RawMarketBook | undefined {
    const status = bookStatus(definition);
    const inPlay = definition.inPlay === true;
    const selections = runners.map((r) => selection(r, market.runners.get(runnerKey(r.id, r.hc)), side));
    const state: BookState = {
      status,
      inPlay,
      numberOfPlaces: head.numberOfPlaces,
      marketBaseRate: definition.marketBaseRate ?? null,
      totalMatched: market.tv,
      selections,
    };
    const key = `${market.id}:${side}`;
    const before = this.emitted.get(key);
    if (before !== undefined && sameBook(before, state)) return undefined;
    this.emitted.set(key, state);
    return {
      provider: PROVIDER,
      ...head,
      bookmaker: BOOKMAKER,
      side,
      status,
      inPlay,
      priceFormat: 'decimal',
      selections,
      eventTime,
      receivedAt,
      payload: payload(),
      marketBaseRate: state.marketBaseRate,
      totalMatched: state.totalMatched,
    };
  }

  /**
   * Once per market: when it is CLOSED and every runner has a settled status. A market closed
   * with runners still ACTIVE (voided, or settlement still to come) has no result yet.
   */
  private result(
    market: MarketState,
    definition: MarketDefinition,
    runners: readonly RunnerDefinition[],
    head: Header,
    eventTime: number,
    receivedAt: number,
    payload: () => string,
  ): RawResult | undefined {
    if (definition.status !== 'CLOSED' || this.resulted.has(market.id)) return undefined;
    if (runners.some((r) => r.status === 'ACTIVE')) return undefined;
    this.resulted.add(market.id);
    const settled: RawRunnerResult[] = runners.map((r) => ({
      sourceSelectionId: String(r.id),
      name: r.name ?? null,
      status: selectionStatus(r),
      bsp: r.bsp === undefined || r.bsp === null ? null : finiteOrNull(r.bsp),
    }));
    const { marketName: _name, ...rest } = head;
    return {
      provider: PROVIDER,
      ...rest,
      completed: true,
      scores: [],
      runners: settled,
      eventTime,
      receivedAt,
      payload: payload(),
    };
  }
}
