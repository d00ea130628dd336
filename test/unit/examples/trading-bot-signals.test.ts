import { describe, expect, it } from 'vitest';
import type { MarketPricing } from '../../../src/generated/avro-types.js';
import { SignalDetector } from '../../../examples/trading-bot-signals.js';
import { bestPriceExtras, crossBookExtras, pricingExtras } from '../../helpers/record-defaults.js';

function pricing(best: [string, number, string][], arbitrage: boolean, side = 'back'): MarketPricing {
  const bestBookSum = best.reduce((s, [, odds]) => s + 1 / odds, 0);
  return {
    eventId: 'e',
    marketId: 'H2H',
    marketType: 'H2H',
    provider: 'p',
    bookmaker: 'b',
    side,
    inPlay: false,
    startTime: null,
    numberOfPlaces: null,
    method: 'multiplicative',
    overround: 0.05,
    bookPercentage: 105,
    pricingStatus: 'OK',
    selections: [],
    crossBook: {
      bookCount: 2,
      bestBookSum,
      arbitrage,
      selections: best.map(([selectionId, bestOdds, bestBookmaker]) => ({
        selectionId,
        bestOdds,
        bestBookmaker,
        consensusFairProbability: 0.5,
        ...bestPriceExtras,
      })),
      ...crossBookExtras,
    },
    eventTime: 0,
    processedAt: 0,
    ...pricingExtras,
  };
}

describe('trading bot signals', () => {
  it('reports a best price when it first appears and when it moves, not when it stays', () => {
    const d = new SignalDetector();
    expect(
      d
        .update(
          pricing(
            [
              ['home', 2.0, 'x'],
              ['away', 1.9, 'y'],
            ],
            false,
          ),
        )
        .map((s) => s.kind),
    ).toEqual(['best-price', 'best-price']);
    expect(
      d.update(
        pricing(
          [
            ['home', 2.0, 'x'],
            ['away', 1.9, 'y'],
          ],
          false,
        ),
      ),
    ).toEqual([]);
    expect(
      d.update(
        pricing(
          [
            ['home', 2.1, 'z'],
            ['away', 1.9, 'y'],
          ],
          false,
        ),
      ),
    ).toEqual([
      { kind: 'best-price', market: 'e:H2H', selectionId: 'home', from: 2.0, to: 2.1, bookmaker: 'z' },
    ]);
  });

  it('reports an arbitrage once when it opens, and again only after it closed', () => {
    const d = new SignalDetector();
    const arb = pricing(
      [
        ['home', 2.2, 'x'],
        ['away', 2.1, 'y'],
      ],
      true,
    );
    const opened = d.update(arb).filter((s) => s.kind === 'arbitrage');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ margin: expect.closeTo(1 - (1 / 2.2 + 1 / 2.1), 12) as number });
    expect(d.update(arb).filter((s) => s.kind === 'arbitrage')).toHaveLength(0);
    d.update(
      pricing(
        [
          ['home', 1.9, 'x'],
          ['away', 1.9, 'y'],
        ],
        false,
      ),
    );
    expect(d.update(arb).filter((s) => s.kind === 'arbitrage')).toHaveLength(1);
  });

  it('ignores lay books', () => {
    expect(new SignalDetector().update(pricing([['home', 2, 'x']], true, 'lay'))).toEqual([]);
  });
});
