import type { EventRow, FeaturesRow, MarketStatusRow, PricingRow, ResultRow, SnapshotRow } from './rows.js';
import { mergeEvents } from './rows.js';
import type { Column, TableSpec } from './upsert.js';

/** Column `name` from the row's property of the same meaning. */
const col = <R, K extends keyof R>(name: string, key: K): Column<R> => ({ name, value: (row) => row[key] });

/** pg sends a JS array as a PostgreSQL array, so JSON columns get their text explicitly. */
const json = <R, K extends keyof R>(name: string, key: K): Column<R> => ({
  name,
  value: (row) => (row[key] === null ? null : JSON.stringify(row[key])),
});

const sep = '\u0000';

export const snapshotsTable: TableSpec<SnapshotRow> = {
  table: 'odds_snapshots',
  columns: [
    col('time', 'time'),
    col('event_id', 'eventId'),
    col('market_id', 'marketId'),
    col('bookmaker', 'bookmaker'),
    col('selection_id', 'selectionId'),
    col('side', 'side'),
    col('odds', 'odds'),
    col('size', 'size'),
    col('point', 'point'),
    col('implied_probability', 'impliedProbability'),
    col('selection_status', 'selectionStatus'),
    col('in_play', 'inPlay'),
    col('provider', 'provider'),
    col('received_at', 'receivedAt'),
    col('market_status', 'marketStatus'),
    col('source_event_id', 'sourceEventId'),
    col('source_market_id', 'sourceMarketId'),
    col('source_selection_id', 'sourceSelectionId'),
    col('handicap', 'handicap'),
    col('last_traded_price', 'lastTradedPrice'),
    col('traded_volume', 'tradedVolume'),
    col('total_matched', 'totalMatched'),
    json('depth', 'depth'),
    col('bsp_near', 'bspNear'),
    col('bsp_far', 'bspFar'),
  ],
  key: ['event_id', 'market_id', 'bookmaker', 'selection_id', 'side', 'time'],
  rowKey: (r) => [r.eventId, r.marketId, r.bookmaker, r.selectionId, r.side, r.time.getTime()].join(sep),
};

export const pricingTable: TableSpec<PricingRow> = {
  table: 'market_pricing',
  columns: [
    col('time', 'time'),
    col('event_id', 'eventId'),
    col('market_id', 'marketId'),
    col('bookmaker', 'bookmaker'),
    col('side', 'side'),
    col('selection_id', 'selectionId'),
    col('provider', 'provider'),
    col('in_play', 'inPlay'),
    col('method', 'method'),
    col('pricing_status', 'pricingStatus'),
    col('overround', 'overround'),
    col('book_percentage', 'bookPercentage'),
    col('odds', 'odds'),
    col('implied_probability', 'impliedProbability'),
    col('fair_probability', 'fairProbability'),
    col('fair_odds', 'fairOdds'),
    col('fair_multiplicative', 'fairMultiplicative'),
    col('fair_additive', 'fairAdditive'),
    col('fair_power', 'fairPower'),
    col('fair_shin', 'fairShin'),
    col('fair_odds_ratio', 'fairOddsRatio'),
    json('fair_other', 'fairOther'),
    col('best_odds', 'bestOdds'),
    col('best_bookmaker', 'bestBookmaker'),
    col('consensus_fair_probability', 'consensusFairProbability'),
    col('book_count', 'bookCount'),
    col('arbitrage', 'arbitrage'),
    col('market_status', 'marketStatus'),
    col('phase', 'phase'),
    col('book_left_out', 'bookLeftOut'),
    col('commission', 'commission'),
    col('source_event_id', 'sourceEventId'),
    col('source_market_id', 'sourceMarketId'),
    col('source_selection_id', 'sourceSelectionId'),
    col('handicap', 'handicap'),
    col('best_net_odds', 'bestNetOdds'),
    col('best_quote_time', 'bestQuoteTime'),
    col('best_age_ms', 'bestAgeMs'),
    col('best_provider', 'bestProvider'),
    col('best_source_event_id', 'bestSourceEventId'),
    col('best_source_market_id', 'bestSourceMarketId'),
    col('best_source_selection_id', 'bestSourceSelectionId'),
    col('best_handicap', 'bestHandicap'),
    col('back_back_profit', 'backBackProfit'),
    col('back_lay_profit', 'backLayProfit'),
    json('arbitrage_detail', 'arbitrageDetail'),
  ],
  key: ['event_id', 'market_id', 'bookmaker', 'side', 'selection_id', 'time'],
  rowKey: (r) => [r.eventId, r.marketId, r.bookmaker, r.side, r.selectionId, r.time.getTime()].join(sep),
};

/** Newer information wins field by field, and a null never erases (see mergeEvents). */
const keepUnlessNull = (name: string): string => `coalesce(EXCLUDED.${name}, t.${name})`;

export const eventsTable: TableSpec<EventRow> = {
  table: 'events',
  columns: [
    col('event_id', 'eventId'),
    col('sport', 'sport'),
    { ...col('competition', 'competition'), onConflict: keepUnlessNull('competition') },
    { ...col('event_name', 'eventName'), onConflict: keepUnlessNull('event_name') },
    { ...col('start_time', 'startTime'), onConflict: keepUnlessNull('start_time') },
    col('updated_at', 'updatedAt'),
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
    col('event_id', 'eventId'),
    col('market_id', 'marketId'),
    col('provider', 'provider'),
    col('sport', 'sport'),
    col('event_name', 'eventName'),
    col('start_time', 'startTime'),
    col('winners', 'winners'),
    json('scores', 'scores'),
    json('placings', 'placings'),
    col('settled_at', 'settledAt'),
    col('processed_at', 'processedAt'),
  ],
  key: ['event_id', 'market_id', 'provider'],
  rowKey: (r) => [r.eventId, r.marketId, r.provider].join(sep),
  merge: (earlier, later) => (later.settledAt.getTime() >= earlier.settledAt.getTime() ? later : earlier),
  updateWhen: 'EXCLUDED.settled_at >= t.settled_at',
};

export const featuresTable: TableSpec<FeaturesRow> = {
  table: 'selection_features',
  columns: [
    col('time', 'time'),
    col('event_id', 'eventId'),
    col('market_id', 'marketId'),
    col('selection_id', 'selectionId'),
    col('name', 'name'),
    col('start_time', 'startTime'),
    col('seconds_to_start', 'secondsToStart'),
    col('in_play', 'inPlay'),
    col('opening_odds', 'openingOdds'),
    col('current_odds', 'currentOdds'),
    col('change_since_open', 'changeSinceOpen'),
    col('consensus_probability', 'consensusProbability'),
    col('probability_velocity_1m', 'probabilityVelocity1m'),
    col('probability_velocity_5m', 'probabilityVelocity5m'),
    col('volatility_5m', 'volatility5m'),
    col('number_of_books', 'numberOfBooks'),
    col('market_overround', 'marketOverround'),
  ],
  key: ['event_id', 'market_id', 'selection_id', 'time'],
  rowKey: (r) => [r.eventId, r.marketId, r.selectionId, r.time.getTime()].join(sep),
};

/** Newer information wins: a replayed older status never overwrites a later one. */
export const marketStatusTable: TableSpec<MarketStatusRow> = {
  table: 'market_status',
  columns: [
    col('event_id', 'eventId'),
    col('market_id', 'marketId'),
    col('bookmaker', 'bookmaker'),
    col('side', 'side'),
    col('time', 'time'),
    col('status', 'status'),
    col('in_play', 'inPlay'),
    col('settled', 'settled'),
    col('provider', 'provider'),
    col('source_event_id', 'sourceEventId'),
    col('source_market_id', 'sourceMarketId'),
    col('market_base_rate', 'marketBaseRate'),
    col('total_matched', 'totalMatched'),
  ],
  key: ['event_id', 'market_id', 'bookmaker', 'side'],
  rowKey: (r) => [r.eventId, r.marketId, r.bookmaker, r.side].join(sep),
  merge: (earlier, later) => (later.time.getTime() >= earlier.time.getTime() ? later : earlier),
  updateWhen: 'EXCLUDED.time >= t.time',
};
