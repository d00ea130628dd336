import type { OutputRecord } from '../../src/core/kafka/records.js';
import { recordKeys } from '../../src/core/kafka/records.js';
import type { Metrics } from '../../src/core/metrics.js';
import { defaultEventStartToleranceMs, EventRegistry } from '../normalize/event-registry.js';
import {
  createNormalizeBookState,
  normalizeBook,
  type NormalizeBookOptions,
} from '../normalize/normalize-book.js';
import { normalizeResult } from '../normalize/normalize-result.js';
import type { ProcessorStage, StageInput } from '../runtime/stage.js';
import { providerOf, rejectionRecord } from './rejection.js';

export type PrepareOptions = NormalizeBookOptions & {
  /** Counts books dropped as unchanged repeats (the only records with no output). */
  metrics?: Metrics;
  /** The event ids' memory; a new one (with eventStartToleranceMs) when absent. */
  events?: EventRegistry;
};

/**
 * validate → normalize: odds.raw → odds.normalized, results.raw → results.normalized; anything
 * refused goes to odds.dlq with every issue. An unchanged repeat of a book is dropped (and
 * counted): downstream would only write the same row again.
 */
export function createPrepareStage(options: PrepareOptions): ProcessorStage<'oddsRaw' | 'resultsRaw'> {
  // Outlives reset(): event ids must not change when a transaction is retried (see NormalizeBookState).
  const events =
    options.events ??
    new EventRegistry({ toleranceMs: options.eventStartToleranceMs ?? defaultEventStartToleranceMs });
  let state = createNormalizeBookState({}, events);
  return {
    name: 'prepare',
    inputs: ['oddsRaw', 'resultsRaw'],
    deadLetterStage: 'validate',
    process(input: StageInput<'oddsRaw' | 'resultsRaw'>): OutputRecord[] {
      if (input.topic === 'oddsRaw') {
        const outcome = normalizeBook(input.value, options, state);
        switch (outcome.kind) {
          case 'book':
            return [{ topic: 'oddsNormalized', key: recordKeys.market(outcome.book), value: outcome.book }];
          case 'duplicate':
            options.metrics?.stageRecords.inc({ stage: 'prepare', direction: 'duplicate' });
            return [];
          case 'rejected':
            return [
              rejectionRecord(input, outcome.stage, outcome.errors, providerOf(input.value), options.now()),
            ];
        }
      }
      const outcome = normalizeResult(input.value, options, events);
      if (outcome.kind === 'result') {
        return [
          { topic: 'resultsNormalized', key: recordKeys.result(outcome.result), value: outcome.result },
        ];
      }
      return [rejectionRecord(input, outcome.stage, outcome.errors, providerOf(input.value), options.now())];
    },
    reset() {
      state = createNormalizeBookState({}, events);
    },
  };
}
