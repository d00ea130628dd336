import type { EventRow, FeaturesRow, MarketStatusRow, PricingRow, ResultRow, SnapshotRow } from './rows.js';
import { mergeEvents } from './rows.js';
import type { Column, TableSpec } from './upsert.js';

/**
 * Column `name` read by `value`. An accessor of its own per column rather than one reading
 * `row[key]`: that one load saw every column of every table and cost the sink 7 % of its CPU.
 */
const col = <R>(name: string, value: (row: R) => unknown): Column<R> => ({ name, value });

/** pg sends a JS array as a PostgreSQL array, so JSON columns get their text explicitly. */
const json = <R>(name: string, value: (row: R) => unknown): Column<R> => ({
  name,
  value: (row) => {
    const v = value(row);
    return v === null ? null : JSON.stringify(v);
  },
});

const sep = '\u0000';

export const snapshotsTable: TableSpec<SnapshotRow> = {
  table: 'odds_snapshots',
  columns: [
    col('time', (r) => r.time),
    col('event_id', (r) => r.eventId),
    col('market_id', (r) => r.marketId),
    col('bookmaker', (r) => r.bookmaker),
    col('selection_id', (r) => r.selectionId),
    col('side', (r) => r.side),
    col('odds', (r) => r.odds),
    col('size', (r) => r.size),
    col('point', (r) => r.point),
    col('implied_probability', (r) => r.impliedProbability),
    col('selection_status', (r) => r.selectionStatus),
    col('in_play', (r) => r.inPlay),
    col('provider', (r) => r.provider),
    col('received_at', (r) => r.receivedAt),
    col('market_status', (r) => r.marketStatus),
    col('source_event_id', (r) => r.sourceEventId),
    col('source_market_id', (r) => r.sourceMarketId),
    col('source_selection_id', (r) => r.sourceSelectionId),
    col('handicap', (r) => r.handicap),
    col('last_traded_price', (r) => r.lastTradedPrice),
    col('traded_volume', (r) => r.tradedVolume),
    col('total_matched', (r) => r.totalMatched),
    json('depth', (r) => r.depth),
    col('bsp_near', (r) => r.bspNear),
    col('bsp_far', (r) => r.bspFar),
  ],
  key: ['event_id', 'market_id', 'bookmaker', 'selection_id', 'side', 'time'],
  rowKey: (r) => [r.eventId, r.marketId, r.bookmaker, r.selectionId, r.side, r.time.getTime()].join(sep),
};

export const pricingTable: TableSpec<PricingRow> = {
  table: 'market_pricing',
  columns: [
    col('time', (r) => r.time),
    col('event_id', (r) => r.eventId),
    col('market_id', (r) => r.marketId),
    col('bookmaker', (r) => r.bookmaker),
    col('side', (r) => r.side),
    col('selection_id', (r) => r.selectionId),
    col('provider', (r) => r.provider),
    col('in_play', (r) => r.inPlay),
    col('method', (r) => r.method),
    col('pricing_status', (r) => r.pricingStatus),
    col('overround', (r) => r.overround),
    col('book_percentage', (r) => r.bookPercentage),
    col('odds', (r) => r.odds),
    col('implied_probability', (r) => r.impliedProbability),
    col('fair_probability', (r) => r.fairProbability),
    col('fair_odds', (r) => r.fairOdds),
    col('fair_multiplicative', (r) => r.fairMultiplicative),
    col('fair_additive', (r) => r.fairAdditive),
    col('fair_power', (r) => r.fairPower),
    col('fair_shin', (r) => r.fairShin),
    col('fair_odds_ratio', (r) => r.fairOddsRatio),
    json('fair_other', (r) => r.fairOther),
    col('best_odds', (r) => r.bestOdds),
    col('best_bookmaker', (r) => r.bestBookmaker),
    col('consensus_fair_probability', (r) => r.consensusFairProbability),
    col('book_count', (r) => r.bookCount),
    col('arbitrage', (r) => r.arbitrage),
    col('market_status', (r) => r.marketStatus),
    col('phase', (r) => r.phase),
    col('book_left_out', (r) => r.bookLeftOut),
    col('commission', (r) => r.commission),
    col('source_event_id', (r) => r.sourceEventId),
    col('source_market_id', (r) => r.sourceMarketId),
    col('source_selection_id', (r) => r.sourceSelectionId),
    col('handicap', (r) => r.handicap),
    col('best_net_odds', (r) => r.bestNetOdds),
    col('best_quote_time', (r) => r.bestQuoteTime),
    col('best_age_ms', (r) => r.bestAgeMs),
    col('best_provider', (r) => r.bestProvider),
    col('best_source_event_id', (r) => r.bestSourceEventId),
    col('best_source_market_id', (r) => r.bestSourceMarketId),
    col('best_source_selection_id', (r) => r.bestSourceSelectionId),
    col('best_handicap', (r) => r.bestHandicap),
    col('back_back_profit', (r) => r.backBackProfit),
    col('back_lay_profit', (r) => r.backLayProfit),
    json('arbitrage_detail', (r) => r.arbitrageDetail),
  ],
  key: ['event_id', 'market_id', 'bookmaker', 'side', 'selection_id', 'time'],
  rowKey: (r) => [r.eventId, r.marketId, r.bookmaker, r.side, r.selectionId, r.time.getTime()].join(sep),
};

/** Newer information wins field by field, and a null never erases (see mergeEvents). */
const keepUnlessNull = (name: string): string => `coalesce(EXCLUDED.${name}, t.${name})`;

export const eventsTable: TableSpec<EventRow> = {
  table: 'events',
  columns: [
    col('event_id', (r) => r.eventId),
    col('sport', (r) => r.sport),
    { ...col('competition', (r) => r.competition), onConflict: keepUnlessNull('competition') },
    { ...col('event_name', (r) => r.eventName), onConflict: keepUnlessNull('event_name') },
    { ...col('start_time', (r) => r.startTime), onConflict: keepUnlessNull('start_time') },
    col('updated_at', (r) => r.updatedAt),
  ],
  key: ['event_id'],
  rowKey: (r) => r.eventId,
  merge: mergeEvents,
  updateWhen: 'EXCLUDED.updated_at >= t.updated_at',
};

/** A re-settlement replaces the result; a replayed older one does not. */
export const resultsTable: TableSpec<ResultRow> = {
  table: 'results',
  columns: [
    col('event_id', (r) => r.eventId),
    col('market_id', (r) => r.marketId),
    col('provider', (r) => r.provider),
    col('sport', (r) => r.sport),
    col('event_name', (r) => r.eventName),
    col('start_time', (r) => r.startTime),
    col('winners', (r) => r.winners),
    json('scores', (r) => r.scores),
    json('placings', (r) => r.placings),
    col('settled_at', (r) => r.settledAt),
    col('processed_at', (r) => r.processedAt),
  ],
  key: ['event_id', 'market_id', 'provider'],
  rowKey: (r) => [r.eventId, r.marketId, r.provider].join(sep),
  merge: (earlier, later) => (later.settledAt.getTime() >= earlier.settledAt.getTime() ? later : earlier),
  updateWhen: 'EXCLUDED.settled_at >= t.settled_at',
};

export const featuresTable: TableSpec<FeaturesRow> = {
  table: 'selection_features',
  columns: [
    col('time', (r) => r.time),
    col('event_id', (r) => r.eventId),
    col('market_id', (r) => r.marketId),
    col('selection_id', (r) => r.selectionId),
    col('name', (r) => r.name),
    col('start_time', (r) => r.startTime),
    col('seconds_to_start', (r) => r.secondsToStart),
    col('in_play', (r) => r.inPlay),
    col('opening_odds', (r) => r.openingOdds),
    col('current_odds', (r) => r.currentOdds),
    col('change_since_open', (r) => r.changeSinceOpen),
    col('consensus_probability', (r) => r.consensusProbability),
    col('probability_velocity_1m', (r) => r.probabilityVelocity1m),
    col('probability_velocity_5m', (r) => r.probabilityVelocity5m),
    col('volatility_5m', (r) => r.volatility5m),
    col('number_of_books', (r) => r.numberOfBooks),
    col('market_overround', (r) => r.marketOverround),
  ],
  key: ['event_id', 'market_id', 'selection_id', 'time'],
  rowKey: (r) => [r.eventId, r.marketId, r.selectionId, r.time.getTime()].join(sep),
};

/** Newer information wins: a replayed older status never overwrites a later one. */
export const marketStatusTable: TableSpec<MarketStatusRow> = {
  table: 'market_status',
  columns: [
    col('event_id', (r) => r.eventId),
    col('market_id', (r) => r.marketId),
    col('bookmaker', (r) => r.bookmaker),
    col('side', (r) => r.side),
    col('time', (r) => r.time),
    col('status', (r) => r.status),
    col('in_play', (r) => r.inPlay),
    col('settled', (r) => r.settled),
    col('provider', (r) => r.provider),
    col('source_event_id', (r) => r.sourceEventId),
    col('source_market_id', (r) => r.sourceMarketId),
    col('market_base_rate', (r) => r.marketBaseRate),
    col('total_matched', (r) => r.totalMatched),
  ],
  key: ['event_id', 'market_id', 'bookmaker', 'side'],
  rowKey: (r) => [r.eventId, r.marketId, r.bookmaker, r.side].join(sep),
  merge: (earlier, later) => (later.time.getTime() >= earlier.time.getTime() ? later : earlier),
  updateWhen: 'EXCLUDED.time >= t.time',
};
