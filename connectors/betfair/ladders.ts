import { finiteOrNull, type RunnerChange, type StreamNumber } from './protocol.js';

/** Price → size: full-depth ladders (atb, atl, trd, spb, spl). */
export type PriceLadder = Map<number, number>;
/** Level (0 = best) → price and size: the rolled-up ladders (batb, batl, bdatb, bdatl). */
export type LevelLadder = Map<number, { price: number; size: number }>;

export interface RunnerState {
  readonly id: number;
  readonly hc: number;
  ltp: number | null;
  tv: number | null;
  spn: number | null;
  spf: number | null;
  readonly atb: PriceLadder;
  readonly atl: PriceLadder;
  readonly trd: PriceLadder;
  readonly spb: PriceLadder;
  readonly spl: PriceLadder;
  readonly batb: LevelLadder;
  readonly batl: LevelLadder;
  readonly bdatb: LevelLadder;
  readonly bdatl: LevelLadder;
}

export const priceLadderKeys = ['atb', 'atl', 'trd', 'spb', 'spl'] as const;
export const levelLadderKeys = ['batb', 'batl', 'bdatb', 'bdatl'] as const;

export function runnerKey(id: number, hc: number | null | undefined): string {
  return `${id}:${hc ?? 0}`;
}

export function emptyRunner(id: number, hc: number | null | undefined): RunnerState {
  return {
    id,
    hc: hc ?? 0,
    ltp: null,
    tv: null,
    spn: null,
    spf: null,
    atb: new Map(),
    atl: new Map(),
    trd: new Map(),
    spb: new Map(),
    spl: new Map(),
    batb: new Map(),
    batl: new Map(),
    bdatb: new Map(),
    bdatl: new Map(),
  };
}

// Ladder deltas: "PriceVol tuple delta of price changes (0 vol is remove)" and "LevelPriceVol
// triple delta of price changes, keyed by level (0 vol is remove)" (ESASwaggerSchema.json).
function applyPairs(ladder: PriceLadder, pairs: readonly (readonly [number, number])[]): void {
  for (const [price, size] of pairs) {
    if (size === 0) ladder.delete(price);
    else ladder.set(price, size);
  }
}

function applyTriples(ladder: LevelLadder, triples: readonly (readonly [number, number, number])[]): void {
  for (const [level, price, size] of triples) {
    if (size === 0) ladder.delete(level);
    else ladder.set(level, { price, size });
  }
}

function scalar(current: number | null, update: StreamNumber | null | undefined): number | null {
  // Absent or null means "unchanged"; "NaN"/"Infinity" means there is no such value now.
  return update === undefined || update === null ? current : finiteOrNull(update);
}

/**
 * Merges one runner change into the runner. An image is applied the same way onto an emptied
 * runner, which is also what merges a runner split over several entries of one image.
 */
export function applyRunnerChange(runner: RunnerState, change: RunnerChange): void {
  runner.ltp = scalar(runner.ltp, change.ltp);
  runner.tv = scalar(runner.tv, change.tv);
  runner.spn = scalar(runner.spn, change.spn);
  runner.spf = scalar(runner.spf, change.spf);
  for (const key of priceLadderKeys) {
    const pairs = change[key];
    if (pairs === undefined || pairs === null) continue;
    // `trd: []` is how Betfair says the traded ladder was reset (betfairlightweight
    // streaming/cache.py `update_traded`).
    if (key === 'trd' && pairs.length === 0) runner.trd.clear();
    else applyPairs(runner[key], pairs);
  }
  for (const key of levelLadderKeys) {
    const triples = change[key];
    if (triples !== undefined && triples !== null) applyTriples(runner[key], triples);
  }
}

export type Side = 'back' | 'lay';

/** A price offered and the money available at it. */
export interface Offer {
  price: number;
  size: number;
}

/** Inserts into `best` (kept sorted, best first, at most `count`) when `offer` ranks. */
function keepBest(
  best: Offer[],
  offer: Offer,
  count: number,
  better: (a: number, b: number) => boolean,
): void {
  let at = best.length;
  while (at > 0 && better(offer.price, best[at - 1]!.price)) at--;
  if (at >= count) return;
  best.splice(at, 0, offer);
  if (best.length > count) best.pop();
}

/**
 * The best `count` levels offered on one side, best first: from the full-depth ladder when it
 * has prices, otherwise the display ladder, otherwise the best-offers ladder — the precedence of
 * betfairlightweight's `serialise_available_to_back/lay`. The rolled-up ladders are keyed by
 * level; a level missing in the middle (deleted, not yet refilled) is skipped, not shown empty.
 * One pass, no sort: this runs for every runner of every book the connector builds.
 */
export function topLevels(runner: RunnerState, side: Side, count: number): Offer[] {
  const best: Offer[] = [];
  const full = side === 'back' ? runner.atb : runner.atl;
  if (full.size > 0) {
    const higher = side === 'back' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
    for (const [price, size] of full) keepBest(best, { price, size }, count, higher);
    return best;
  }
  const display = side === 'back' ? runner.bdatb : runner.bdatl;
  const levels = display.size > 0 ? display : side === 'back' ? runner.batb : runner.batl;
  const byLevel: { level: number; offer: Offer }[] = [];
  for (const [level, offer] of levels) byLevel.push({ level, offer });
  byLevel.sort((a, b) => a.level - b.level);
  return byLevel.slice(0, count).map(({ offer }) => ({ price: offer.price, size: offer.size }));
}

/** Best price offered on one side (topLevels' first), or null when nothing is offered. */
export function bestOffer(runner: RunnerState, side: Side): Offer | null {
  return topLevels(runner, side, 1)[0] ?? null;
}

/** The runner in wire form, as an image entry would carry it (used to persist the cache). */
export function runnerToChange(runner: RunnerState): RunnerChange {
  const change: RunnerChange = { id: runner.id };
  if (runner.hc !== 0) change.hc = runner.hc;
  if (runner.ltp !== null) change.ltp = runner.ltp;
  if (runner.tv !== null) change.tv = runner.tv;
  if (runner.spn !== null) change.spn = runner.spn;
  if (runner.spf !== null) change.spf = runner.spf;
  for (const key of priceLadderKeys) {
    if (runner[key].size > 0) change[key] = [...runner[key].entries()];
  }
  for (const key of levelLadderKeys) {
    if (runner[key].size > 0) {
      change[key] = [...runner[key].entries()].map(([level, { price, size }]) => [level, price, size]);
    }
  }
  return change;
}
