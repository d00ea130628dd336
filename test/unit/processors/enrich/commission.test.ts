import { describe, expect, it } from 'vitest';
import {
  commissionOf,
  commissionTableSchema,
  defaultCommissions,
  netOdds,
} from '../../../../processors/enrich/commission.js';
import { priceBook } from '../../../../processors/enrich/pricing.js';
import { settingsSchema } from '../../../../src/app/config/settings.js';
import { marketBook, runner } from './books.js';

describe('commission', () => {
  it('reads a bookmaker=rate table and refuses what is not one, naming the entry', () => {
    expect([...commissionTableSchema.parse(' betfair=0.05, smarkets=0.02 ,')]).toEqual([
      ['betfair', 0.05],
      ['smarkets', 0.02],
    ]);
    const problems = (text: string) =>
      commissionTableSchema.safeParse(text).error?.issues.map((i) => i.message) ?? [];
    expect(problems('betfair=1.5')).toEqual(['betfair: rate 1.5 is not a fraction in [0, 1)']);
    expect(problems('betfair=0.05,betfair=0.02')).toEqual(['betfair is listed twice']);
    expect(problems('betfair 5%')[0]).toMatch(/bookmaker=rate/u);
    // the setting: a typo is a configuration error, a valid table replaces the default one
    expect(settingsSchema.safeParse({ ODDSFLOW_COMMISSION: 'betfair=5' }).success).toBe(false);
    const settings = settingsSchema.parse({ ODDSFLOW_COMMISSION: 'matchbook=0.015' });
    expect([...settings.ODDSFLOW_COMMISSION]).toEqual([['matchbook', 0.015]]);
    expect(settingsSchema.parse({}).ODDSFLOW_COMMISSION).toEqual(defaultCommissions);
  });

  it("takes the market's own base rate first, then the table, else nothing", () => {
    expect(commissionOf({ bookmaker: 'betfair', marketBaseRate: 10 }, defaultCommissions)).toBeCloseTo(
      0.1,
      12,
    );
    expect(commissionOf({ bookmaker: 'betfair', marketBaseRate: null }, defaultCommissions)).toBe(0.05);
    expect(commissionOf({ bookmaker: 'betfair_ex_uk', marketBaseRate: null }, defaultCommissions)).toBe(0.05);
    expect(commissionOf({ bookmaker: 'williamhill', marketBaseRate: null }, defaultCommissions)).toBe(0);
  });

  it('nets odds: back winnings pay it, a lay costs as a dearer lay would', () => {
    expect(netOdds(3, 0.05, 'back')).toBeCloseTo(2.9, 12);
    expect(netOdds(3, 0.05, 'lay')).toBeCloseTo(1 + 2 / 0.95, 12);
    expect(netOdds(3, 0, 'lay')).toBe(3);
  });

  it('stamps each priced book with its commission, status and provider ids', () => {
    const pricing = priceBook(
      marketBook({
        provider: 'betfair',
        bookmaker: 'betfair',
        status: 'SUSPENDED',
        marketBaseRate: 7,
        sourceEventId: '31873357',
        sourceMarketId: '1.205822330',
        selections: [
          { ...runner('a', 2), sourceSelectionId: '101', handicap: 0, size: 50 },
          { ...runner('b', 2.1), sourceSelectionId: '102', handicap: 0, size: 20 },
        ],
      }),
      { method: 'multiplicative', now: 0 },
    );
    expect(pricing).toMatchObject({
      commission: 0.07,
      status: 'SUSPENDED',
      sourceEventId: '31873357',
      sourceMarketId: '1.205822330',
    });
    expect(pricing.commission).toBeCloseTo(0.07, 12);
    expect(pricing.selections.map((s) => [s.sourceSelectionId, s.handicap, s.size])).toEqual([
      ['101', 0, 50],
      ['102', 0, 20],
    ]);
  });
});
