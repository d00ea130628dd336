/**
 * Back-versus-lay arbitrage after commission: back a selection at one bookmaker and lay it on an
 * exchange (another bookmaker) when, with stakes that equalise the two outcomes, both outcomes
 * win at least `margin` of the back stake after each side's commission; once per market and selection.
 *
 *   npm run oddsflow -- backtest --strategy examples/strategies/back-lay-arbitrage.ts --param margin=0.01 …
 */
import type { Order, Strategy } from '../../src/app/strategy/strategy.js';

/**
 * Stakes and profit of backing at `back` (commission cb on winnings) and laying at `lay`
 * (commission cl): the lay stake L that makes both outcomes equal, and that profit per unit backed.
 * Win: (back − 1)(1 − cb) − L(lay − 1); lose: −1 + L(1 − cl).
 */
export function backLay(
  back: number,
  lay: number,
  cb: number,
  cl: number,
): { layStake: number; profit: number } {
  const layStake = ((back - 1) * (1 - cb) + 1) / (lay - cl);
  return { layStake, profit: layStake * (1 - cl) - 1 };
}

export default function backLayArbitrage(params: Record<string, string> = {}): Strategy {
  const margin = Number(params.margin ?? 0.005);
  const stake = Number(params.stake ?? 10);
  const taken = new Set<string>();
  return {
    name: `back-lay arbitrage (margin ${margin}, stake ${stake})`,
    onPricing(_pricing, market, ctx) {
      const orders: Order[] = [];
      for (const selectionId of market.selectionIds()) {
        const key = `${market.eventId}:${market.marketId}:${selectionId}`;
        if (taken.has(key)) continue;
        const back = market.best(selectionId, 'back');
        // The best lay at a bookmaker other than the back's: a price against itself is no arbitrage.
        const lay = market.quotes(selectionId, 'lay').find((q) => q.bookmaker !== back?.bookmaker);
        if (back === undefined || lay === undefined) continue;
        const cb = ctx.commission(back.bookmaker, market.eventId, market.marketId);
        const cl = ctx.commission(lay.bookmaker, market.eventId, market.marketId);
        const { layStake, profit } = backLay(back.odds, lay.odds, cb, cl);
        if (profit < margin) continue;
        taken.add(key);
        const reason = `back ${back.odds} at ${back.bookmaker}, lay ${lay.odds} at ${lay.bookmaker}: ${(profit * 100).toFixed(2)} % after commission`;
        orders.push(
          { selectionId, bookmaker: back.bookmaker, side: 'back', odds: back.odds, stake, reason },
          {
            selectionId,
            bookmaker: lay.bookmaker,
            side: 'lay',
            odds: lay.odds,
            stake: Math.round(stake * layStake * 100) / 100,
            reason,
          },
        );
      }
      return orders;
    },
  };
}
