import type { MarketBook, MarketPricing, Result } from '../../src/core/generated/avro-types.js';
import type { SinkRecord } from '../../sinks/contract.js';
import {
  bestPriceExtras,
  bookExtras,
  crossBookExtras,
  pricingExtras,
  pricingSelectionExtras,
  selectionExtras,
} from './record-defaults.js';

/** 2026-03-01 12:00:00 UTC; the event starts an hour later. */
export const t0 = Date.UTC(2026, 2, 1, 12, 0, 0);
export const startTime = t0 + 3_600_000;
/** The race's canonical id (processors/normalize/event-id.ts): Ascot, off at 13:00 UTC. */
export const eventId = 'horse-racing/2026-03-01/ascot/1300';

export function book(overrides: Partial<MarketBook> = {}): MarketBook {
  return {
    eventId,
    marketId: 'WIN',
    marketType: 'WIN',
    line: null,
    sport: 'horse-racing',
    competition: 'Ascot',
    eventName: 'Ascot R3',
    startTime,
    provider: 'betfair',
    bookmaker: 'betfair',
    side: 'back',
    status: 'OPEN',
    inPlay: false,
    numberOfPlaces: null,
    selections: [
      {
        selectionId: 'sel-a',
        name: 'Alpha',
        decimalOdds: 2.5,
        point: null,
        size: 120,
        status: 'ACTIVE',
        ...selectionExtras(),
      },
      {
        selectionId: 'sel-b',
        name: 'Bravo',
        decimalOdds: 4,
        point: null,
        size: 35.5,
        status: 'ACTIVE',
        ...selectionExtras(),
      },
      {
        selectionId: 'sel-c',
        name: 'Charlie',
        decimalOdds: null,
        point: null,
        size: null,
        status: 'REMOVED',
        ...selectionExtras(),
      },
    ],
    sourceEventId: '31873357',
    sourceMarketId: '1.205822330',
    eventTime: t0,
    receivedAt: t0 + 40,
    processedAt: t0 + 55,
    contentHash: 'h1',
    ...bookExtras,
    ...overrides,
  };
}

export function pricing(overrides: Partial<MarketPricing> = {}): MarketPricing {
  const fair = (m: number): Record<string, number> => ({
    multiplicative: m,
    additive: m / 2,
    power: m / 4,
    shin: m / 8,
    'odds-ratio': m / 16,
  });
  return {
    eventId,
    marketId: 'WIN',
    marketType: 'WIN',
    provider: 'betfair',
    bookmaker: 'betfair',
    side: 'back',
    inPlay: false,
    startTime,
    numberOfPlaces: null,
    method: 'shin',
    overround: 0.05,
    bookPercentage: 105,
    pricingStatus: 'OK',
    selections: [
      {
        selectionId: 'sel-a',
        name: 'Alpha',
        decimalOdds: 2.5,
        impliedProbability: 0.4,
        fairProbability: 0.38,
        fairOdds: 1 / 0.38,
        fairProbabilities: fair(0.4),
        ...pricingSelectionExtras('1001'),
      },
      {
        selectionId: 'sel-b',
        name: 'Bravo',
        decimalOdds: 1.53,
        impliedProbability: 0.65,
        fairProbability: 0.62,
        fairOdds: 1 / 0.62,
        fairProbabilities: fair(0.6),
        ...pricingSelectionExtras('1002'),
      },
    ],
    crossBook: {
      bookCount: 2,
      bestBookSum: 1.02,
      arbitrage: false,
      selections: [
        {
          selectionId: 'sel-a',
          bestOdds: 2.6,
          bestBookmaker: 'pinnacle',
          consensusFairProbability: 0.39,
          ...bestPriceExtras,
        },
        {
          selectionId: 'sel-b',
          bestOdds: 1.55,
          bestBookmaker: 'betfair',
          consensusFairProbability: 0.61,
          ...bestPriceExtras,
        },
      ],
      ...crossBookExtras,
    },
    eventTime: t0,
    processedAt: t0 + 60,
    ...pricingExtras,
    ...overrides,
  };
}

export function result(overrides: Partial<Result> = {}): Result {
  return {
    eventId,
    marketId: null,
    sport: 'horse-racing',
    eventName: 'Ascot R3',
    startTime,
    provider: 'betfair',
    scores: [],
    placings: [
      { selectionId: 'sel-a', name: 'Alpha', status: 'WINNER' },
      { selectionId: 'sel-b', name: 'Bravo', status: 'LOSER' },
    ],
    winners: ['sel-a'],
    settledAt: startTime + 600_000,
    processedAt: startTime + 600_100,
    ...overrides,
  };
}

let nextOffset = 0;

/** A record as the sink runner hands it over; offsets count up per process. */
export function record<T extends SinkRecord['topic']>(
  topic: T,
  value: Extract<SinkRecord, { topic: T }>['value'],
  partition = 0,
): SinkRecord {
  return { topic, value, key: null, partition, offset: String(nextOffset++), timestamp: 0 } as SinkRecord;
}
