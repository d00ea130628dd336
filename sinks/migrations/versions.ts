import { escapeIdentifier } from 'pg';
import type { StoreMode } from './capabilities.js';
import { qualified } from './sql.js';

export interface Statement {
  text: string;
  values?: unknown[];
  /**
   * Makes it a prepared statement of the connection: parsed and planned once, then only bound and
   * executed. Unique per text (pg refuses one name for two texts on a connection).
   */
  name?: string;
}

export interface MigrationTarget {
  schema: string;
  mode: StoreMode;
  /** Where TimescaleDB's functions are (its extension schema); unused in plain mode. */
  extensionSchema: string;
}

export interface Migration {
  version: number;
  name: string;
  /** The statements for the target's mode; applied in one transaction and recorded once. */
  statements(target: MigrationTarget): Statement[];
}

/**
 * A TimescaleDB function called by its qualified name: search_path is the caller's (and on the
 * embedded server one session's SET leaks into the next), so nothing may depend on it.
 */
export const timescaleFunction = (extensionSchema: string, name: string): string =>
  `${escapeIdentifier(extensionSchema)}.${name}`;

/** The tables migration 2 made hypertables; migration 4 adds selection_features. */
const firstTimeSeriesTables = ['odds_snapshots', 'market_pricing'] as const;

/** The tables partitioned by time (hypertables when TimescaleDB is there), which the policies cover. */
export const timeSeriesTables = [...firstTimeSeriesTables, 'selection_features'] as const;

/**
 * A day per chunk: a busy day of odds is a few million rows, which keeps a chunk's indexes in
 * memory (https://docs.timescale.com/use-timescale/latest/hypertables/#best-practices-for-time-partitioning).
 */
const chunkInterval = '1 day';

/**
 * The refresh window of the continuous aggregate: late data older than this (a replay of last
 * week) is not re-materialised by the policy; `CALL refresh_continuous_aggregate` covers it.
 */
const ohlcRefresh = { startOffset: '3 days', endOffset: '1 minute', schedule: '1 minute' };

const coreTables = (schema: string): Statement[] => {
  const t = (name: string): string => qualified(schema, name);
  return [
    {
      text: `CREATE TABLE ${t('events')} (
        event_id text PRIMARY KEY,
        sport text NOT NULL,
        competition text,
        event_name text,
        start_time timestamptz,
        updated_at timestamptz NOT NULL
      )`,
    },
    {
      text: `CREATE TABLE ${t('results')} (
        event_id text NOT NULL,
        market_id text NOT NULL,
        provider text NOT NULL,
        sport text NOT NULL,
        event_name text,
        start_time timestamptz,
        winners text[] NOT NULL,
        scores jsonb NOT NULL,
        placings jsonb NOT NULL,
        settled_at timestamptz NOT NULL,
        processed_at timestamptz NOT NULL,
        PRIMARY KEY (event_id, market_id, provider)
      )`,
    },
    {
      text: `CREATE TABLE ${t('odds_snapshots')} (
        time timestamptz NOT NULL,
        event_id text NOT NULL,
        market_id text NOT NULL,
        bookmaker text NOT NULL,
        selection_id text NOT NULL,
        side text NOT NULL,
        odds double precision NOT NULL,
        size double precision,
        point double precision,
        implied_probability double precision NOT NULL,
        selection_status text NOT NULL,
        in_play boolean NOT NULL,
        provider text NOT NULL,
        received_at timestamptz NOT NULL,
        PRIMARY KEY (event_id, market_id, bookmaker, selection_id, side, time)
      )`,
    },
    {
      text: `CREATE TABLE ${t('market_pricing')} (
        time timestamptz NOT NULL,
        event_id text NOT NULL,
        market_id text NOT NULL,
        bookmaker text NOT NULL,
        side text NOT NULL,
        selection_id text NOT NULL,
        provider text NOT NULL,
        in_play boolean NOT NULL,
        method text NOT NULL,
        pricing_status text NOT NULL,
        overround double precision NOT NULL,
        book_percentage double precision NOT NULL,
        odds double precision NOT NULL,
        implied_probability double precision NOT NULL,
        fair_probability double precision NOT NULL,
        fair_odds double precision NOT NULL,
        fair_multiplicative double precision,
        fair_additive double precision,
        fair_power double precision,
        fair_shin double precision,
        fair_odds_ratio double precision,
        fair_other jsonb,
        best_odds double precision,
        best_bookmaker text,
        consensus_fair_probability double precision,
        book_count integer NOT NULL,
        arbitrage boolean NOT NULL,
        PRIMARY KEY (event_id, market_id, bookmaker, side, selection_id, time)
      )`,
    },
    ...firstTimeSeriesTables.map((name) => ({
      text: `CREATE INDEX ${escapeIdentifier(`${name}_time_idx`)} ON ${t(name)} (time DESC)`,
    })),
    { text: `CREATE INDEX events_start_time_idx ON ${t('events')} (start_time)` },
  ];
};

const hypertablesOf = (
  tables: readonly string[],
  { schema, mode, extensionSchema }: MigrationTarget,
): Statement[] => {
  if (mode === 'plain') return [];
  const ts = (name: string): string => timescaleFunction(extensionSchema, name);
  return tables.flatMap((name) => [
    {
      // The time index of migration 1 serves as the hypertable's own.
      text: `SELECT ${ts('create_hypertable')}($1::regclass, ${ts('by_range')}('time', $2::interval), create_default_indexes => false)`,
      values: [qualified(schema, name), chunkInterval],
    },
    ...(mode === 'timescale'
      ? [
          {
            // Queries and replays address one market at a time: segments of (event, market)
            // decompress only that market (https://docs.timescale.com/use-timescale/latest/compression/about-compression/#segment-by-columns).
            text: `ALTER TABLE ${qualified(schema, name)} SET (
              timescaledb.enable_columnstore = true,
              timescaledb.segmentby = 'event_id, market_id',
              timescaledb.orderby = 'time DESC')`,
          },
        ]
      : []),
  ]);
};

const hypertables = (target: MigrationTarget): Statement[] => hypertablesOf(firstTimeSeriesTables, target);

/**
 * The features.market records (SelectionFeatures), one row per selection and event time: the ML
 * team's history, kept beyond the topic's retention, and what point-in-time training sets read
 * (`export-features`). Compressed and retained like the odds.
 */
const featuresTable = (target: MigrationTarget): Statement[] => {
  const table = qualified(target.schema, 'selection_features');
  return [
    {
      text: `CREATE TABLE ${table} (
        time timestamptz NOT NULL,
        event_id text NOT NULL,
        market_id text NOT NULL,
        selection_id text NOT NULL,
        name text,
        start_time timestamptz,
        seconds_to_start double precision,
        in_play boolean NOT NULL,
        opening_odds double precision NOT NULL,
        current_odds double precision NOT NULL,
        change_since_open double precision NOT NULL,
        consensus_probability double precision NOT NULL,
        probability_velocity_1m double precision NOT NULL,
        probability_velocity_5m double precision NOT NULL,
        volatility_5m double precision NOT NULL,
        number_of_books integer NOT NULL,
        market_overround double precision NOT NULL,
        PRIMARY KEY (event_id, market_id, selection_id, time)
      )`,
    },
    { text: `CREATE INDEX selection_features_time_idx ON ${table} (time DESC)` },
    ...hypertablesOf(['selection_features'], target),
  ];
};

const ohlcColumns = `event_id, market_id, selection_id, bookmaker, side`;

const ohlcView = ({ schema, mode, extensionSchema }: MigrationTarget): Statement[] => {
  const ts = (name: string): string => timescaleFunction(extensionSchema, name);
  const view = qualified(schema, 'odds_ohlc_1m');
  const source = qualified(schema, 'odds_snapshots');
  if (mode === 'timescale') {
    return [
      {
        // materialized_only = false: the newest minutes (not yet materialised) are computed live.
        text: `CREATE MATERIALIZED VIEW ${view}
          WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
          SELECT ${ts('time_bucket')}(INTERVAL '1 minute', time) AS bucket, ${ohlcColumns},
            ${ts('first')}(odds, time) AS open, max(odds) AS high, min(odds) AS low,
            ${ts('last')}(odds, time) AS close,
            count(*) AS samples
          FROM ${source}
          GROUP BY bucket, ${ohlcColumns}
          WITH NO DATA`,
      },
      {
        text: `SELECT ${ts('add_continuous_aggregate_policy')}($1::regclass, start_offset => $2::interval,
          end_offset => $3::interval, schedule_interval => $4::interval)`,
        values: [view, ohlcRefresh.startOffset, ohlcRefresh.endOffset, ohlcRefresh.schedule],
      },
    ];
  }
  // The same columns without TimescaleDB: date_bin on a fixed origin is time_bucket's minute grid.
  return [
    {
      text: `CREATE VIEW ${view} AS
        SELECT date_bin(INTERVAL '1 minute', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket, ${ohlcColumns},
          (array_agg(odds ORDER BY time))[1] AS open, max(odds) AS high, min(odds) AS low,
          (array_agg(odds ORDER BY time DESC))[1] AS close, count(*) AS samples
        FROM ${source}
        GROUP BY 1, ${ohlcColumns}`,
    },
  ];
};

/**
 * Issue 13: what a trader needs to take a price. Added columns are nullable without a default,
 * which TimescaleDB allows on hypertables with a columnstore and which rewrites no row; rows
 * written before have null there. `market_status` is the latest status of every book, written
 * newer-wins, so a suspended or settled market reads as such even with no price left to store.
 */
const tradingColumns = ({ schema }: MigrationTarget): Statement[] => {
  const t = (name: string): string => qualified(schema, name);
  const add = (table: string, columns: readonly string[]): Statement => ({
    text: `ALTER TABLE ${t(table)} ${columns.map((c) => `ADD COLUMN ${c}`).join(', ')}`,
  });
  return [
    add('odds_snapshots', [
      'market_status text',
      'source_event_id text',
      'source_market_id text',
      'source_selection_id text',
      'handicap double precision',
      'last_traded_price double precision',
      'traded_volume double precision',
      'total_matched double precision',
      'depth jsonb',
      'bsp_near double precision',
      'bsp_far double precision',
    ]),
    add('market_pricing', [
      'market_status text',
      'phase text',
      'book_left_out text',
      'commission double precision',
      'source_event_id text',
      'source_market_id text',
      'source_selection_id text',
      'handicap double precision',
      'best_net_odds double precision',
      'best_quote_time timestamptz',
      'best_age_ms bigint',
      'best_provider text',
      'best_source_event_id text',
      'best_source_market_id text',
      'best_source_selection_id text',
      'best_handicap double precision',
      'back_back_profit double precision',
      'back_lay_profit double precision',
      'arbitrage_detail jsonb',
    ]),
    {
      text: `CREATE TABLE ${t('market_status')} (
        event_id text NOT NULL,
        market_id text NOT NULL,
        bookmaker text NOT NULL,
        side text NOT NULL,
        time timestamptz NOT NULL,
        status text NOT NULL,
        in_play boolean NOT NULL,
        settled boolean NOT NULL,
        provider text NOT NULL,
        source_event_id text NOT NULL,
        source_market_id text NOT NULL,
        market_base_rate double precision,
        total_matched double precision,
        PRIMARY KEY (event_id, market_id, bookmaker, side)
      )`,
    },
  ];
};

/** Append only: a released migration never changes, a change is a new version. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'core tables', statements: ({ schema }) => coreTables(schema) },
  { version: 2, name: 'hypertables and columnstore', statements: hypertables },
  { version: 3, name: 'odds_ohlc_1m', statements: ohlcView },
  { version: 4, name: 'selection_features', statements: featuresTable },
  { version: 5, name: 'market status, provider ids and exchange data', statements: tradingColumns },
];
