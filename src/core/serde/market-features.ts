import type { FeaturesSelection, MarketFeatures, SelectionFeatures } from '../generated/avro-types.js';

/**
 * features.market carries one MarketFeatures per market change (every selection in one record);
 * the ML team's rows (selection_features, training sets) are one SelectionFeatures per selection.
 * These two functions are the only place that maps one shape to the other.
 */

/**
 * The rows of a market record: each selection with its market's fields. Written out field by
 * field: the sink calls it for every features record, and two object spreads per row were 3 % of
 * its CPU in a profile.
 */
export function selectionFeatures(market: MarketFeatures): SelectionFeatures[] {
  return market.selections.map((s) => ({
    eventId: market.eventId,
    marketId: market.marketId,
    selectionId: s.selectionId,
    name: s.name,
    eventTime: market.eventTime,
    startTime: market.startTime,
    secondsToStart: market.secondsToStart,
    inPlay: market.inPlay,
    openingOdds: s.openingOdds,
    currentOdds: s.currentOdds,
    changeSinceOpen: s.changeSinceOpen,
    consensusProbability: s.consensusProbability,
    probabilityVelocity1m: s.probabilityVelocity1m,
    probabilityVelocity5m: s.probabilityVelocity5m,
    volatility5m: s.volatility5m,
    numberOfBooks: market.numberOfBooks,
    marketOverround: market.marketOverround,
    phase: market.phase,
    bestBookmaker: s.bestBookmaker,
    bestProvider: s.bestProvider,
    sourceEventId: s.sourceEventId,
    sourceMarketId: s.sourceMarketId,
    sourceSelectionId: s.sourceSelectionId,
    handicap: s.handicap,
    quoteTime: s.quoteTime,
  }));
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
