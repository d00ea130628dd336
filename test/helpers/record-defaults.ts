import type {
  BestPrice,
  CrossBook,
  MarketBook,
  MarketPricing,
  Selection,
  SelectionPricing,
} from '../../src/core/generated/avro-types.js';
import { noExchangeData } from '../../connectors/contract.js';
import { unattributed } from '../../src/app/ops/features-store.js';

// The fields issue 13 added to the records, at the values a book without exchange data and
// provider ids would carry: test builders spread these so each test names only what it checks.

export const selectionExtras = (
  sourceSelectionId: string | null = null,
): Omit<Selection, 'selectionId' | 'name' | 'decimalOdds' | 'point' | 'size' | 'status'> => ({
  sourceSelectionId,
  ...noExchangeData(),
});

export const bookExtras: Pick<MarketBook, 'settled' | 'marketBaseRate' | 'totalMatched'> = {
  settled: false,
  marketBaseRate: null,
  totalMatched: null,
};

export const pricingSelectionExtras = (
  sourceSelectionId: string | null = null,
): Pick<SelectionPricing, 'sourceSelectionId' | 'handicap' | 'size'> => ({
  sourceSelectionId,
  handicap: null,
  size: null,
});

export const bestPriceExtras: Omit<
  BestPrice,
  'selectionId' | 'bestOdds' | 'bestBookmaker' | 'consensusFairProbability'
> = {
  netOdds: null,
  size: null,
  quoteTime: null,
  ageMs: null,
  provider: null,
  sourceEventId: null,
  sourceMarketId: null,
  sourceSelectionId: null,
  handicap: null,
};

export const crossBookExtras: Omit<CrossBook, 'bookCount' | 'bestBookSum' | 'arbitrage' | 'selections'> = {
  phase: 'pre-match',
  asOf: null,
  leftOut: {},
  bookLeftOut: null,
  backBack: null,
  backLay: [],
};

export const pricingExtras: Pick<
  MarketPricing,
  'status' | 'sourceEventId' | 'sourceMarketId' | 'commission'
> = {
  status: 'OPEN',
  sourceEventId: null,
  sourceMarketId: null,
  commission: 0,
};

export const featuresExtras = unattributed;
