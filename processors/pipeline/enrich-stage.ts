import type { MarketOpening } from '../../src/core/generated/avro-types.js';
import type { OutputRecord } from '../../src/core/kafka/records.js';
import { recordKeys } from '../../src/core/kafka/records.js';
import type { CommissionTable } from '../enrich/commission.js';
import { CrossBookState, type CrossBookOptions } from '../enrich/cross-book.js';
import type { MarginMethod } from '../enrich/margin-methods.js';
import { priceBook } from '../enrich/pricing.js';
import { createFeaturesStage, type FeaturesConfig } from '../features/index.js';
import type { ProcessorStage, StageInput } from '../runtime/stage.js';

export interface EnrichOptions {
  method: MarginMethod;
  /** Recent input replayed into the cross-book and features state after a rebalance or restart. */
  warmupMs?: number;
  now: () => number;
  features: FeaturesConfig;
  crossBook?: Partial<CrossBookOptions>;
  /** Commission per bookmaker (ODDSFLOW_COMMISSION); defaultCommissions when absent. */
  commissions?: CommissionTable;
}

/**
 * enrich → features: odds.normalized → odds.pricing (the book's overround and fair odds with the
 * market's cross-book state) and features.market. Its input is keyed eventId:marketId, so every
 * book of a market reaches this instance and the cross-book state is complete for its markets.
 * One event-time clock (the latest eventTime read) sweeps both states: every `sweepEveryMs` of it,
 * markets with no book for `idleMs` are dropped from the cross-book and the features state alike.
 */
export function createEnrichStage(options: EnrichOptions): ProcessorStage<'oddsNormalized'> {
  const fresh = () => ({
    crossBook: new CrossBookState(options.crossBook),
    features: createFeaturesStage(options.features),
  });
  let state = fresh();
  let latestEventTime = -Infinity;
  let lastSweep = -Infinity;

  return {
    name: 'enrich',
    inputs: ['oddsNormalized'],
    deadLetterStage: 'enrich',
    ...(options.warmupMs ? { warmupMs: options.warmupMs } : {}),
    restoreFrom: {
      topic: 'featuresOpening',
      apply: (value) => state.features.restoreOpenings(value as MarketOpening),
    },
    process(input: StageInput<'oddsNormalized'>): OutputRecord[] {
      const book = input.value;
      const bookPricing = priceBook(book, {
        method: options.method,
        now: options.now(),
        ...(options.commissions ? { commissions: options.commissions } : {}),
      });
      const pricing = { ...bookPricing, crossBook: state.crossBook.update(bookPricing, book.receivedAt) };
      const features = state.features.process(pricing);

      latestEventTime = Math.max(latestEventTime, book.eventTime);
      if (latestEventTime - lastSweep >= options.features.sweepEveryMs) {
        const idleBefore = latestEventTime - options.features.idleMs;
        state.crossBook.evictNotUpdatedSince(idleBefore);
        state.features.evictNotUpdatedSince(idleBefore);
        lastSweep = latestEventTime;
      }
      return [
        { topic: 'oddsPricing', key: recordKeys.market(pricing), value: pricing },
        ...(features === undefined
          ? []
          : [{ topic: 'featuresMarket', key: recordKeys.market(features), value: features } as const]),
        // In the same transaction as the features that used them: a restart restores exactly these.
        ...state.features.takeOpenings().map((value): OutputRecord => ({
          topic: 'featuresOpening',
          key: recordKeys.market(value),
          value,
        })),
      ];
    },
    reset() {
      state = fresh();
      latestEventTime = -Infinity;
      lastSweep = -Infinity;
    },
  };
}
