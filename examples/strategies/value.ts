/**
 * Value against the consensus: back a selection when the best fresh back price beats its
 * consensus fair probability (the mean of every book's margin-free probability) by `edge`
 * after the bookmaker's commission; once per market and selection. Only before the start, only
 * while at least `minBooks` books make the consensus (one book's own fair price is no
 * consensus: an incomplete exchange ladder looks like value everywhere), odds up to `maxOdds`.
 *
 *   npm run oddsflow -- backtest --strategy examples/strategies/value.ts --param edge=0.05 --param stake=10 …
 */
import type { Order, Strategy } from '../../src/app/strategy/strategy.js';

export default function valueStrategy(params: Record<string, string> = {}): Strategy {
  const edge = Number(params.edge ?? 0.05);
  const stake = Number(params.stake ?? 10);
  const minBooks = Number(params.minBooks ?? 2);
  const maxOdds = Number(params.maxOdds ?? 100);
  const taken = new Set<string>();
  return {
    name: `value (edge ${edge}, stake ${stake})`,
    onPricing(pricing, market, ctx) {
      if (pricing.side !== 'back' || pricing.inPlay || pricing.crossBook.bookCount < minBooks) return [];
      if (market.startTime !== null && ctx.now >= market.startTime) return [];
      const orders: Order[] = [];
      for (const selectionId of market.selectionIds()) {
        const key = `${market.eventId}:${market.marketId}:${selectionId}`;
        const fair = market.consensus(selectionId);
        const quote = market.best(selectionId, 'back');
        if (taken.has(key) || fair === undefined || quote === undefined || quote.odds > maxOdds) continue;
        const commission = ctx.commission(quote.bookmaker, market.eventId, market.marketId);
        // Expected profit per unit staked, winnings net of commission.
        const ev = fair * (quote.odds - 1) * (1 - commission) - (1 - fair);
        if (ev <= edge) continue;
        taken.add(key);
        orders.push({
          selectionId,
          bookmaker: quote.bookmaker,
          side: 'back',
          odds: quote.odds,
          stake,
          reason: `EV ${(ev * 100).toFixed(1)} % at ${quote.odds} against fair ${(1 / fair).toFixed(2)}`,
        });
      }
      return orders;
    },
  };
}
