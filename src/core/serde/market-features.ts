import type { FeaturesSelection, MarketFeatures, SelectionFeatures } from '../generated/avro-types.js';

/**
 * features.market carries one MarketFeatures per market change (every selection in one record);
 * the ML team's rows (selection_features, training sets) are one SelectionFeatures per selection.
 * These two functions are the only place that maps one shape to the other.
 */

/** The rows of a market record: each selection with its market's fields. */
export function selectionFeatures(market: MarketFeatures): SelectionFeatures[] {
  const { selections, ...shared } = market;
  return selections.map((selection) => ({ ...shared, ...selection }));
}

/**
 * A record written before features.market carried markets (one SelectionFeatures per selection)
 * as the market record of that one selection: nothing it said is lost.
 */
export function marketFeaturesOfSelection(row: SelectionFeatures): MarketFeatures {
  const {
    eventId,
    marketId,
    eventTime,
    startTime,
    secondsToStart,
    inPlay,
    numberOfBooks,
    marketOverround,
    phase,
    ...selection
  } = row;
  const only: FeaturesSelection = selection;
  return {
    eventId,
    marketId,
    eventTime,
    startTime,
    secondsToStart,
    inPlay,
    numberOfBooks,
    marketOverround,
    phase,
    selections: [only],
  };
}
