import type { EventRow, FeaturesRow, MarketStatusRow, PricingRow, ResultRow, SnapshotRow } from './rows.js';
import { mergeEvents } from './rows.js';
import type { CopyColumn, CopyTableSpec, CopyType } from './copy.js';
import type { Column, TableSpec } from './upsert.js';

/**
 * Column `name` read by `value`. An accessor of its own per column rather than one reading
 * `row[key]`: that one load saw every column of every table and cost the sink 7 % of its CPU.
 */
const col = <R>(name: string, value: (row: R) => unknown): Column<R> => ({ name, value });

/** A column of a table appended by COPY, with the PostgreSQL type its binary form is written as. */
const typed =
  (type: CopyType) =>
  <R>(name: string, value: (row: R) => unknown): CopyColumn<R> => ({ name, value, type });

const timestamptz = typed('timestamptz');
const text = typed('text');
const float8 = typed('float8');
const int4 = typed('int4');
const int8 = typed('int8');
const bool = typed('bool');

/** pg sends a JS array as a PostgreSQL array, so JSON columns get their text explicitly. */
const json = <R>(name: string, value: (row: R) => unknown): CopyColumn<R> => ({
  name,
  type: 'jsonb',
  value: (row) => {
    const v = value(row);
    return v === null ? null : JSON.stringify(v);
  },
});

const sep = '\u0000';

export const snapshotsTable: CopyTableSpec<SnapshotRow> = {
  table: 'odds_snapshots',
  columns: [
    timestamptz('time', (r) => r.time),
    text('event_id', (r) => r.eventId),
    text('market_id', (r) => r.marketId),
    text('bookmaker', (r) => r.bookmaker),
    text('selection_id', (r) => r.selectionId),
    text('side', (r) => r.side),
    float8('odds', (r) => r.odds),
    float8('size', (r) => r.size),
    float8('point', (r) => r.point),
    float8('implied_probability', (r) => r.impliedProbability),
    text('selection_status', (r) => r.selectionStatus),
    bool('in_play', (r) => r.inPlay),
    text('provider', (r) => r.provider),
    timestamptz('received_at', (r) => r.receivedAt),
    text('market_status', (r) => r.marketStatus),
    text('source_event_id', (r) => r.sourceEventId),
    text('source_market_id', (r) => r.sourceMarketId),
    text('source_selection_id', (r) => r.sourceSelectionId),
    float8('handicap', (r) => r.handicap),
    float8('last_traded_price', (r) => r.lastTradedPrice),
    float8('traded_volume', (r) => r.tradedVolume),
    float8('total_matched', (r) => r.totalMatched),
    json('depth', (r) => r.depth),
    float8('bsp_near', (r) => r.bspNear),
    float8('bsp_far', (r) => r.bspFar),
  ],
  key: ['event_id', 'market_id', 'bookmaker', 'selection_id', 'side', 'time'],
  rowKey: (r) => [r.eventId, r.marketId, r.bookmaker, r.selectionId, r.side, r.time.getTime()].join(sep),
};

export const pricingTable: CopyTableSpec<PricingRow> = {
  table: 'market_pricing',
  columns: [
    timestamptz('time', (r) => r.time),
    text('event_id', (r) => r.eventId),
    text('market_id', (r) => r.marketId),
    text('bookmaker', (r) => r.bookmaker),
    text('side', (r) => r.side),
    text('selection_id', (r) => r.selectionId),
    text('provider', (r) => r.provider),
    bool('in_play', (r) => r.inPlay),
    text('method', (r) => r.method),
    text('pricing_status', (r) => r.pricingStatus),
    float8('overround', (r) => r.overround),
    float8('book_percentage', (r) => r.bookPercentage),
    float8('odds', (r) => r.odds),
    float8('implied_probability', (r) => r.impliedProbability),
    float8('fair_probability', (r) => r.fairProbability),
    float8('fair_odds', (r) => r.fairOdds),
    float8('fair_multiplicative', (r) => r.fairMultiplicative),
    float8('fair_additive', (r) => r.fairAdditive),
    float8('fair_power', (r) => r.fairPower),
    float8('fair_shin', (r) => r.fairShin),
    float8('fair_odds_ratio', (r) => r.fairOddsRatio),
    json('fair_other', (r) => r.fairOther),
    float8('best_odds', (r) => r.bestOdds),
    text('best_bookmaker', (r) => r.bestBookmaker),
    float8('consensus_fair_probability', (r) => r.consensusFairProbability),
    int4('book_count', (r) => r.bookCount),
    bool('arbitrage', (r) => r.arbitrage),
    text('market_status', (r) => r.marketStatus),
    text('phase', (r) => r.phase),
    text('book_left_out', (r) => r.bookLeftOut),
    float8('commission', (r) => r.commission),
    text('source_event_id', (r) => r.sourceEventId),
    text('source_market_id', (r) => r.sourceMarketId),
    text('source_selection_id', (r) => r.sourceSelectionId),
    float8('handicap', (r) => r.handicap),
    float8('best_net_odds', (r) => r.bestNetOdds),
    timestamptz('best_quote_time', (r) => r.bestQuoteTime),
    int8('best_age_ms', (r) => r.bestAgeMs),
    text('best_provider', (r) => r.bestProvider),
    text('best_source_event_id', (r) => r.bestSourceEventId),
    text('best_source_market_id', (r) => r.bestSourceMarketId),
    text('best_source_selection_id', (r) => r.bestSourceSelectionId),
    float8('best_handicap', (r) => r.bestHandicap),
    float8('back_back_profit', (r) => r.backBackProfit),
    float8('back_lay_profit', (r) => r.backLayProfit),
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

export const featuresTable: CopyTableSpec<FeaturesRow> = {
  table: 'selection_features',
  columns: [
    timestamptz('time', (r) => r.time),
    text('event_id', (r) => r.eventId),
    text('market_id', (r) => r.marketId),
    text('selection_id', (r) => r.selectionId),
    text('name', (r) => r.name),
    timestamptz('start_time', (r) => r.startTime),
    float8('seconds_to_start', (r) => r.secondsToStart),
    bool('in_play', (r) => r.inPlay),
    float8('opening_odds', (r) => r.openingOdds),
    float8('current_odds', (r) => r.currentOdds),
    float8('change_since_open', (r) => r.changeSinceOpen),
    float8('consensus_probability', (r) => r.consensusProbability),
    float8('probability_velocity_1m', (r) => r.probabilityVelocity1m),
    float8('probability_velocity_5m', (r) => r.probabilityVelocity5m),
    float8('volatility_5m', (r) => r.volatility5m),
    int4('number_of_books', (r) => r.numberOfBooks),
    float8('market_overround', (r) => r.marketOverround),
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
