import type { Pool } from 'pg';
import { qualified } from '../../../sinks/migrations/sql.js';
import type { Result, SelectionFeatures } from '../../core/generated/avro-types.js';

interface FeaturesDbRow {
  time: Date;
  event_id: string;
  market_id: string;
  selection_id: string;
  name: string | null;
  start_time: Date | null;
  seconds_to_start: number | null;
  in_play: boolean;
  opening_odds: number;
  current_odds: number;
  change_since_open: number;
  consensus_probability: number;
  probability_velocity_1m: number;
  probability_velocity_5m: number;
  volatility_5m: number;
  number_of_books: number;
  market_overround: number;
}

function toFeatures(r: FeaturesDbRow): SelectionFeatures {
  return {
    eventId: r.event_id,
    marketId: r.market_id,
    selectionId: r.selection_id,
    name: r.name,
    eventTime: r.time.getTime(),
    startTime: r.start_time?.getTime() ?? null,
    secondsToStart: r.seconds_to_start,
    inPlay: r.in_play,
    openingOdds: r.opening_odds,
    currentOdds: r.current_odds,
    changeSinceOpen: r.change_since_open,
    consensusProbability: r.consensus_probability,
    probabilityVelocity1m: r.probability_velocity_1m,
    probabilityVelocity5m: r.probability_velocity_5m,
    volatility5m: r.volatility_5m,
    numberOfBooks: r.number_of_books,
    marketOverround: r.market_overround,
    // selection_features keeps the model's inputs only, not who quoted the best price.
    ...unattributed,
  };
}

/** The fields of a features record that name the quote behind currentOdds, unknown. */
export const unattributed: Pick<
  SelectionFeatures,
  | 'phase'
  | 'bestBookmaker'
  | 'bestProvider'
  | 'sourceEventId'
  | 'sourceMarketId'
  | 'sourceSelectionId'
  | 'handicap'
  | 'quoteTime'
> = {
  phase: null,
  bestBookmaker: null,
  bestProvider: null,
  sourceEventId: null,
  sourceMarketId: null,
  sourceSelectionId: null,
  handicap: null,
  quoteTime: null,
};

/** Whether the schema has a selection_features table with a row in [from, to]. */
export async function hasFeatures(pool: Pool, schema: string, from: number, to: number): Promise<boolean> {
  const exists = await pool.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [
    `${schema}.selection_features`,
  ]);
  if (exists.rows[0]?.t === null || exists.rows[0]?.t === undefined) return false;
  const { rowCount } = await pool.query(
    `SELECT 1 FROM ${qualified(schema, 'selection_features')} WHERE time >= $1 AND time <= $2 LIMIT 1`,
    [new Date(from), new Date(to)],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Each selection's features with times in [from, to], in time order, one selection at a time:
 * read in pages along the primary key (keyset pagination), so memory holds a page and one
 * selection's history, whatever the range.
 */
export async function* featureHistories(
  pool: Pool,
  schema: string,
  range: { from: number; to: number },
  pageRows = 20_000,
): AsyncGenerator<SelectionFeatures[]> {
  const table = qualified(schema, 'selection_features');
  let after: [string, string, string, Date] | undefined;
  let history: SelectionFeatures[] = [];
  for (;;) {
    const { rows } = await pool.query<FeaturesDbRow>(
      `SELECT * FROM ${table}
        WHERE time >= $1 AND time <= $2
          ${after ? 'AND (event_id, market_id, selection_id, time) > ($4, $5, $6, $7)' : ''}
        ORDER BY event_id, market_id, selection_id, time
        LIMIT $3`,
      [new Date(range.from), new Date(range.to), pageRows, ...(after ?? [])],
    );
    for (const row of rows) {
      const features = toFeatures(row);
      const last = history[history.length - 1];
      if (
        last !== undefined &&
        (last.eventId !== features.eventId ||
          last.marketId !== features.marketId ||
          last.selectionId !== features.selectionId)
      ) {
        yield history;
        history = [];
      }
      history.push(features);
    }
    const end = rows[rows.length - 1];
    if (end === undefined || rows.length < pageRows) break;
    after = [end.event_id, end.market_id, end.selection_id, end.time];
  }
  if (history.length > 0) yield history;
}

interface ResultDbRow {
  event_id: string;
  market_id: string;
  provider: string;
  sport: string;
  event_name: string | null;
  start_time: Date | null;
  winners: string[];
  placings: Result['placings'];
  scores: Result['scores'];
  settled_at: Date;
  processed_at: Date;
}

/** Results settled in [from, to] (labels settle after the decisions they label). */
export async function storedResults(
  pool: Pool,
  schema: string,
  range: { from: number; to: number },
): Promise<Result[]> {
  const { rows } = await pool.query<ResultDbRow>(
    `SELECT * FROM ${qualified(schema, 'results')} WHERE settled_at >= $1 AND settled_at <= $2`,
    [new Date(range.from), new Date(range.to)],
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    marketId: r.market_id === '' ? null : r.market_id,
    sport: r.sport,
    eventName: r.event_name,
    startTime: r.start_time?.getTime() ?? null,
    provider: r.provider,
    scores: r.scores,
    placings: r.placings,
    winners: r.winners,
    settledAt: r.settled_at.getTime(),
    processedAt: r.processed_at.getTime(),
  }));
}
