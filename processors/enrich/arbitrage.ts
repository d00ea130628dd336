import type {
  ArbitrageStake,
  BackBackArbitrage,
  BackLayArbitrage,
} from '../../src/core/generated/avro-types.js';

/** One bookmaker's price on one selection, with what it takes to place the bet. */
export interface QuoteRef {
  selectionId: string;
  bookmaker: string;
  provider: string;
  odds: number;
  /** After the bookmaker's commission (commission.ts netOdds). */
  net: number;
  commission: number;
  /** Exchange: money available at the price. */
  size: number | null;
  sourceEventId: string | null;
  sourceMarketId: string | null;
  sourceSelectionId: string | null;
  handicap: number | null;
  /** The provider's time of the quote (its book's eventTime). */
  quoteTime: number;
}

/** Below this a "profit" is rounding: odds printed to two decimals cannot pay less than 1e-9. */
const minProfit = 1e-9;

function stake(quote: QuoteRef, stakeShare: number): ArbitrageStake {
  return {
    selectionId: quote.selectionId,
    bookmaker: quote.bookmaker,
    provider: quote.provider,
    odds: quote.odds,
    netOdds: quote.net,
    stakeShare,
    sourceEventId: quote.sourceEventId,
    sourceMarketId: quote.sourceMarketId,
    sourceSelectionId: quote.sourceSelectionId,
    handicap: quote.handicap,
    quoteTime: quote.quoteTime,
    size: quote.size,
  };
}

/**
 * Backing every selection at its best back price after commission (a dutch across books):
 * stake (1/netᵢ)/Σ(1/net) of the total on selection i and every outcome returns total·P/Σ, where
 * P selections win (the places paid). `best` must be the whole market, one quote per selection;
 * the caller checks that. Null when it does not pay.
 */
export function backBackArbitrage(best: readonly QuoteRef[], places: number): BackBackArbitrage | null {
  if (best.length < 2) return null;
  const sum = best.reduce((s, q) => s + 1 / q.net, 0);
  const profit = places / sum - 1;
  if (!(profit > minProfit)) return null;
  const stakes = best.map((q) => stake(q, 1 / q.net / sum));
  // The total stake is capped where an exchange offers less than its share.
  let maxTotalStake: number | null = null;
  best.forEach((q, i) => {
    if (q.size !== null) maxTotalStake = Math.min(maxTotalStake ?? Infinity, q.size / stakes[i]!.stakeShare);
  });
  return { profit, netBookSum: sum / places, maxTotalStake, stakes };
}

/**
 * Back a selection at one book and lay it on an exchange at another. With back b (net of its
 * commission) and lay l with commission c, a lay stake of b/(l − c) per unit backed returns the
 * same whatever happens: b(1 − c)/(l − c) − 1 = b/netLay − 1 per unit backed. `backs` and `lays`
 * are the selection's quotes, best first; the best pair of two different books is taken (one
 * exchange's own back above its lay is a crossed book, not an arbitrage).
 */
export function backLayArbitrage(
  backs: readonly QuoteRef[],
  lays: readonly QuoteRef[],
): BackLayArbitrage | null {
  let pair: [QuoteRef, QuoteRef] | undefined;
  for (const back of backs.slice(0, 2)) {
    for (const lay of lays.slice(0, 2)) {
      if (back.bookmaker === lay.bookmaker) continue;
      if (pair === undefined || back.net / lay.net > pair[0].net / pair[1].net) pair = [back, lay];
    }
  }
  if (pair === undefined) return null;
  const [back, lay] = pair;
  const profit = back.net / lay.net - 1;
  if (!(profit > minProfit)) return null;
  const layPerBack = back.net / (lay.odds - lay.commission);
  let maxBackStake: number | null = back.size;
  if (lay.size !== null) maxBackStake = Math.min(maxBackStake ?? Infinity, lay.size / layPerBack);
  return {
    selectionId: back.selectionId,
    back: stake(back, 1),
    lay: stake(lay, layPerBack),
    profit,
    maxBackStake,
  };
}
