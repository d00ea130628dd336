/**
 * The queries users need, quoted verbatim in docs/queries.md (a test keeps the two equal and runs
 * each against a migrated schema, plain and TimescaleDB). Table names are unqualified: set
 * search_path to the sink's schema.
 */
export interface DocumentedQuery {
  title: string;
  /** What $1, $2, … are. */
  params: readonly string[];
  sql: string;
}

export const queries = {
  priceHistory: {
    title: 'Price history of a selection',
    params: ['event_id', 'market_id', 'selection_id', 'from (timestamptz)', 'to (timestamptz, exclusive)'],
    sql: `SELECT time, bookmaker, side, odds, size, implied_probability
FROM odds_snapshots
WHERE event_id = $1 AND market_id = $2 AND selection_id = $3
  AND time >= $4 AND time < $5
ORDER BY time, bookmaker, side`,
  },
  closingLine: {
    title: 'Closing line of a market (the last odds before the start, per bookmaker and selection)',
    params: ['event_id', 'market_id'],
    sql: `SELECT DISTINCT ON (s.bookmaker, s.selection_id, s.side)
  s.bookmaker, s.selection_id, s.side, s.odds AS closing_odds, s.time AS priced_at
FROM odds_snapshots s
JOIN events e ON e.event_id = s.event_id
WHERE s.event_id = $1 AND s.market_id = $2 AND s.time < e.start_time
ORDER BY s.bookmaker, s.selection_id, s.side, s.time DESC`,
  },
  overroundByBookmaker: {
    title: 'Overround by bookmaker over time',
    params: ['event_id', 'market_id', 'bucket width (interval, e.g. 5 minutes)'],
    sql: `SELECT date_bin($3::interval, time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
  bookmaker, side, avg(overround) AS overround, count(*) AS books
FROM (
  SELECT DISTINCT time, bookmaker, side, overround
  FROM market_pricing
  WHERE event_id = $1 AND market_id = $2
) AS book
GROUP BY bucket, bookmaker, side
ORDER BY bucket, bookmaker, side`,
  },
  ohlc1m: {
    title: 'One-minute OHLC of a selection',
    params: ['event_id', 'market_id', 'selection_id', 'from (timestamptz)', 'to (timestamptz, exclusive)'],
    sql: `SELECT bucket, bookmaker, side, open, high, low, close, samples
FROM odds_ohlc_1m
WHERE event_id = $1 AND market_id = $2 AND selection_id = $3
  AND bucket >= $4 AND bucket < $5
ORDER BY bucket, bookmaker, side`,
  },
  marketStatus: {
    title: 'Which books of a market take bets now (the latest status of each, newer wins)',
    params: ['event_id', 'market_id'],
    sql: `SELECT bookmaker, side, status, in_play, settled, time AS as_of,
  provider, source_event_id, source_market_id, market_base_rate
FROM market_status
WHERE event_id = $1 AND market_id = $2
ORDER BY bookmaker, side`,
  },
  arbitrages: {
    title: 'Arbitrages after commission in a time range (one row per market and instant)',
    params: ['from (timestamptz)', 'to (timestamptz, exclusive)'],
    sql: `SELECT DISTINCT ON (event_id, market_id, time)
  time, event_id, market_id, phase, back_back_profit, arbitrage_detail
FROM market_pricing
WHERE arbitrage AND time >= $1 AND time < $2
ORDER BY event_id, market_id, time`,
  },
} as const satisfies Record<string, DocumentedQuery>;
