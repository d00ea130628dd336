import type { ColumnSource } from 'hyparquet-writer';
import type { Result, SelectionFeatures } from '../../core/generated/avro-types.js';

/** One row of the ML team's training set: a feature snapshot with the selection's outcome when known. */
export type TrainingRow = SelectionFeatures & {
  /** null while the event has no result. */
  won: boolean | null;
  /** WINNER, PLACED, LOSER or REMOVED from the result's placings; null when unknown. */
  outcome: string | null;
  settledAt: number | null;
};

export type Label = Pick<TrainingRow, 'won' | 'outcome' | 'settledAt'>;

/** A selection's label from the results of its event (its market's, else the whole event's). */
export function labelFor(
  f: Pick<SelectionFeatures, 'marketId' | 'selectionId'>,
  candidates: readonly Result[],
): Label {
  const result =
    candidates.find((r) => r.marketId === f.marketId) ?? candidates.find((r) => r.marketId === null);
  if (!result) return { won: null, outcome: null, settledAt: null };
  const placing = result.placings.find((p) => p.selectionId === f.selectionId);
  const won = result.winners.includes(f.selectionId);
  return {
    won,
    outcome: placing?.status ?? (won ? 'WINNER' : result.winners.length > 0 ? 'LOSER' : null),
    settledAt: result.settledAt,
  };
}

/** Joins features to results by event (and market where the result names one). */
export function joinResults(
  features: readonly SelectionFeatures[],
  results: readonly Result[],
): TrainingRow[] {
  const byEvent = new Map<string, Result[]>();
  for (const r of results) byEvent.set(r.eventId, [...(byEvent.get(r.eventId) ?? []), r]);
  return features.map((f) => ({ ...f, ...labelFor(f, byEvent.get(f.eventId) ?? []) }));
}

export interface ColumnSpec<R> {
  name: keyof R & string;
  type: 'STRING' | 'DOUBLE' | 'INT32' | 'BOOLEAN' | 'TIMESTAMP';
}

export const trainingColumns: ColumnSpec<TrainingRow>[] = [
  { name: 'eventId', type: 'STRING' },
  { name: 'marketId', type: 'STRING' },
  { name: 'selectionId', type: 'STRING' },
  { name: 'name', type: 'STRING' },
  { name: 'eventTime', type: 'TIMESTAMP' },
  { name: 'startTime', type: 'TIMESTAMP' },
  { name: 'secondsToStart', type: 'DOUBLE' },
  { name: 'inPlay', type: 'BOOLEAN' },
  { name: 'openingOdds', type: 'DOUBLE' },
  { name: 'currentOdds', type: 'DOUBLE' },
  { name: 'changeSinceOpen', type: 'DOUBLE' },
  { name: 'consensusProbability', type: 'DOUBLE' },
  { name: 'probabilityVelocity1m', type: 'DOUBLE' },
  { name: 'probabilityVelocity5m', type: 'DOUBLE' },
  { name: 'volatility5m', type: 'DOUBLE' },
  { name: 'numberOfBooks', type: 'INT32' },
  { name: 'marketOverround', type: 'DOUBLE' },
  { name: 'won', type: 'BOOLEAN' },
  { name: 'outcome', type: 'STRING' },
  { name: 'settledAt', type: 'TIMESTAMP' },
];

function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

type Cell = string | number | boolean | null;

export function toCsv<R extends object>(
  rows: readonly R[],
  columns: readonly ColumnSpec<R>[] = trainingColumns as unknown as ColumnSpec<R>[],
): string {
  const header = columns.map((c) => c.name).join(',');
  const body = rows.map((row) =>
    columns
      .map((c) => {
        const v = row[c.name] as Cell;
        return c.type === 'TIMESTAMP' && v !== null ? new Date(v as number).toISOString() : csvCell(v);
      })
      .join(','),
  );
  return [header, ...body].join('\n') + '\n';
}

/** Column-oriented data for a Parquet writer. */
export function toColumns<R extends object>(
  rows: readonly R[],
  columns: readonly ColumnSpec<R>[] = trainingColumns as unknown as ColumnSpec<R>[],
): ColumnSource[] {
  return columns.map((c) => ({
    name: c.name,
    type: c.type,
    data: rows.map((row) => {
      const v = row[c.name] as Cell;
      return c.type === 'TIMESTAMP' && typeof v === 'number' ? new Date(v) : v;
    }),
  }));
}
