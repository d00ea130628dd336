import type { MarketPricing } from '../../../../src/core/generated/avro-types.js';
import {
  bestPriceExtras,
  crossBookExtras,
  pricingExtras,
  pricingSelectionExtras,
} from '../../../helpers/record-defaults.js';

export interface PricingInput {
  eventTime: number;
  bookmaker?: string;
  eventId?: string;
  marketId?: string;
  side?: string;
  overround?: number;
  inPlay?: boolean;
  startTime?: number | null;
  bookCount?: number;
  /** [selectionId, best odds, consensus fair probability] */
  best: [string, number, number][];
}

/** A MarketPricing as the enrich stage would emit it, with only what the features stage reads varying. */
export function pricing(input: PricingInput): MarketPricing {
  return {
    eventId: input.eventId ?? 'soccer/2026-03-14/arsenal~chelsea',
    marketId: input.marketId ?? 'H2H',
    marketType: 'H2H',
    provider: 'the-odds-api',
    bookmaker: input.bookmaker ?? 'book-a',
    side: input.side ?? 'back',
    inPlay: input.inPlay ?? false,
    startTime: input.startTime === undefined ? null : input.startTime,
    numberOfPlaces: null,
    method: 'shin',
    overround: input.overround ?? 0.05,
    bookPercentage: 100 * (1 + (input.overround ?? 0.05)),
    pricingStatus: 'OK',
    selections: input.best.map(([selectionId, odds]) => ({
      selectionId,
      name: selectionId.toUpperCase(),
      decimalOdds: odds,
      impliedProbability: 1 / odds,
      fairProbability: 1 / odds,
      fairOdds: odds,
      fairProbabilities: {},
      ...pricingSelectionExtras(selectionId),
    })),
    crossBook: {
      bookCount: input.bookCount ?? 1,
      bestBookSum: input.best.reduce((s, [, odds]) => s + 1 / odds, 0),
      arbitrage: false,
      selections: input.best.map(([selectionId, bestOdds, consensusFairProbability]) => ({
        selectionId,
        bestOdds,
        bestBookmaker: input.bookmaker ?? 'book-a',
        consensusFairProbability,
        ...bestPriceExtras,
      })),
      ...crossBookExtras,
    },
    eventTime: input.eventTime,
    processedAt: 0,
    ...pricingExtras,
  };
}
