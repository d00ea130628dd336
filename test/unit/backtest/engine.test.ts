import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import backLayArbitrage, { backLay } from '../../../examples/strategies/back-lay-arbitrage.js';
import valueStrategy from '../../../examples/strategies/value.js';
import { runBacktest, type BacktestEvent } from '../../../src/app/backtest/engine.js';
import { equityCurve, maxDrawdown, summarise } from '../../../src/app/backtest/metrics.js';
import { writeReport } from '../../../src/app/backtest/report.js';
import type { MarketPricing, Result } from '../../../src/core/generated/avro-types.js';
import type { Order, Strategy } from '../../../src/app/strategy/strategy.js';
import {
  bestPriceExtras,
  crossBookExtras,
  pricingExtras,
  pricingSelectionExtras,
} from '../../helpers/record-defaults.js';

const start = Date.UTC(2026, 5, 1, 15, 0);
const minute = 60_000;

function pricing(
  bookmaker: string,
  side: 'back' | 'lay',
  at: number,
  odds: Record<string, number>,
  consensus: Record<string, number> = {},
): MarketPricing {
  return {
    eventId: 'e',
    marketId: 'WIN',
    marketType: 'WIN',
    provider: bookmaker,
    bookmaker,
    side,
    inPlay: false,
    startTime: start,
    numberOfPlaces: null,
    method: 'multiplicative',
    overround: 0.05,
    bookPercentage: 105,
    pricingStatus: 'OK',
    selections: Object.entries(odds).map(([selectionId, decimalOdds]) => ({
      selectionId,
      name: null,
      decimalOdds,
      impliedProbability: 1 / decimalOdds,
      fairProbability: 1 / decimalOdds,
      fairOdds: decimalOdds,
      fairProbabilities: {},
      ...pricingSelectionExtras(selectionId),
    })),
    crossBook: {
      bookCount: 2,
      bestBookSum: 1,
      arbitrage: false,
      selections: Object.entries(consensus).map(([selectionId, p]) => ({
        selectionId,
        bestOdds: odds[selectionId] ?? 2,
        bestBookmaker: bookmaker,
        consensusFairProbability: p,
        ...bestPriceExtras,
      })),
      ...crossBookExtras,
    },
    eventTime: at,
    processedAt: at,
    ...pricingExtras,
  };
}

const result = (winners: string[], at = start + 10 * minute): Result => ({
  eventId: 'e',
  marketId: 'WIN',
  sport: 'horse-racing',
  eventName: null,
  startTime: start,
  provider: 'betfair',
  scores: [],
  placings: [],
  winners,
  settledAt: at,
  processedAt: at,
});

/** Places the given orders on the n-th pricing record it sees. */
const scripted = (byIndex: Record<number, Order[]>): Strategy => {
  let i = 0;
  return { name: 'scripted', onPricing: () => byIndex[i++] ?? [] };
};

const options = {
  from: 0,
  to: Infinity,
  freshness: { preMatchMaxAgeMs: 5 * minute, inPlayMaxAgeMs: 10_000 },
  commission: { byBookmaker: { betfair: 0.05 }, marketBaseRates: new Map([['e:WIN', 0.07]]) },
  maxStake: 100,
};

describe('backtest engine', () => {
  it('fills at the quote, refuses stale quotes and moved prices, and charges commission on net market winnings', async () => {
    const events: BacktestEvent[] = [
      { kind: 'pricing', value: pricing('book', 'back', start - 20 * minute, { a: 3.0, b: 2.0 }) },
      { kind: 'pricing', value: pricing('betfair', 'lay', start - 2 * minute, { a: 2.8, b: 2.1 }) },
      { kind: 'result', value: result(['b']) },
    ];
    const strategy = scripted({
      // At the second record the bookmaker's quote (18 minutes old) is stale.
      1: [
        { selectionId: 'a', bookmaker: 'book', side: 'back', odds: 3.0, stake: 10 },
        { selectionId: 'a', bookmaker: 'betfair', side: 'lay', odds: 2.8, stake: 10 },
        { selectionId: 'b', bookmaker: 'betfair', side: 'lay', odds: 2.0, stake: 10 },
        { selectionId: 'b', bookmaker: 'betfair', side: 'lay', odds: 2.2, stake: 500 },
      ],
    });
    const run = await runBacktest(events, strategy, options);
    expect(run.refusals.map((r) => r.reason)).toEqual(['stale quote', 'price moved (2.1)']);
    expect(run.bets.map((b) => [b.selectionId, b.side, b.odds, b.stake, b.outcome, b.grossPnl])).toEqual([
      ['a', 'lay', 2.8, 10, 'won', 10],
      ['b', 'lay', 2.1, 100, 'lost', -110.00000000000001],
    ]);
    // Betfair's net on the market is negative: no commission (its base rate of 7 % would apply to a profit).
    expect(run.settlements).toEqual([
      {
        eventId: 'e',
        marketId: 'WIN',
        settledAt: start + 10 * minute,
        pnl: 10 - 110.00000000000001,
        commission: 0,
      },
    ]);
  });

  it('takes Betfair commission at the market base rate on a winning market', async () => {
    const events: BacktestEvent[] = [
      { kind: 'pricing', value: pricing('betfair', 'back', start - minute, { a: 3.0 }) },
      { kind: 'result', value: result(['a']) },
    ];
    const run = await runBacktest(
      events,
      scripted({ 0: [{ selectionId: 'a', bookmaker: 'betfair', side: 'back', odds: 3, stake: 10 }] }),
      options,
    );
    expect(run.settlements[0]).toMatchObject({ pnl: 20 * 0.93, commission: 20 * 0.07 });
  });

  it('is deterministic: the same events give the same report, byte for byte', async () => {
    const events: BacktestEvent[] = [
      {
        kind: 'pricing',
        value: pricing('soft', 'back', start - 3 * minute, { a: 5.0, b: 1.5 }, { a: 0.25, b: 0.7 }),
      },
      { kind: 'pricing', value: pricing('betfair', 'lay', start - 2 * minute, { a: 4.2, b: 1.55 }) },
      {
        kind: 'pricing',
        value: pricing('soft', 'back', start - minute, { a: 5.0, b: 1.5 }, { a: 0.25, b: 0.7 }),
      },
      { kind: 'result', value: result(['a']) },
    ];
    const texts: string[] = [];
    for (const make of [valueStrategy, backLayArbitrage, valueStrategy]) {
      const dir = mkdtempSync(path.join(tmpdir(), 'report-'));
      const run = await runBacktest(events, make({ minBooks: '1' }), options);
      const report = await writeReport(run, dir, 'test');
      texts.push(readFileSync(report.html, 'utf8') + readFileSync(report.json, 'utf8'));
      expect(readFileSync(report.svg, 'utf8')).toContain('<svg');
    }
    expect(texts[2]).toBe(texts[0]);
    expect(texts[1]).not.toBe(texts[0]);
  });

  it('the example strategies find value and a back-lay arbitrage after commission', async () => {
    const events: BacktestEvent[] = [
      {
        kind: 'pricing',
        value: pricing('soft', 'back', start - 3 * minute, { a: 5.0, b: 1.5 }, { a: 0.25, b: 0.7 }),
      },
      { kind: 'pricing', value: pricing('betfair', 'lay', start - 2 * minute, { a: 4.2, b: 1.55 }) },
      { kind: 'result', value: result(['a']) },
    ];
    const value = await runBacktest(events, valueStrategy({ minBooks: '1', edge: '0.1' }), options);
    // a: 0.25 × 4 − 0.75 = 0.25 of EV; b: 0.7 × 0.5 − 0.3 = 0.05, below the edge.
    expect(value.bets.map((b) => [b.selectionId, b.side, b.odds])).toEqual([['a', 'back', 5]]);
    const arb = await runBacktest(events, backLayArbitrage({ margin: '0.01' }), options);
    const { layStake, profit } = backLay(5.0, 4.2, 0, 0.07);
    expect(profit).toBeGreaterThan(0.01);
    expect(arb.bets.map((b) => [b.selectionId, b.bookmaker, b.side, b.odds, b.stake])).toEqual([
      ['a', 'soft', 'back', 5, 10],
      ['a', 'betfair', 'lay', 4.2, Math.round(10 * layStake * 100) / 100],
    ]);
    // Both outcomes pay about the same after commission.
    const s = summarise(arb);
    expect(s.pnl).toBeCloseTo(10 * profit, 0);
  });

  it('measures drawdown from the running peak', () => {
    const curve = equityCurve(
      [10, -30, 5, 40, -8].map((pnl, i) => ({
        eventId: 'e',
        marketId: String(i),
        settledAt: i,
        pnl,
        commission: 0,
      })),
    );
    expect(curve.map((p) => p.equity)).toEqual([10, -20, -15, 25, 17]);
    expect(maxDrawdown(curve)).toBe(30);
  });
});
