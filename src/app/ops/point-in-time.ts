import type { Result, SelectionFeatures } from '../../core/generated/avro-types.js';
import { labelFor, trainingColumns, type ColumnSpec, type TrainingRow } from './training-set.js';

/**
 * When a model decides, for each selection:
 * - `each-record`: at every features record's own time;
 * - `before-start`: once, `offsetMs` before the event's start;
 * - `every`: on a grid of `stepMs` (from the selection's first features record to its last).
 */
export type DecisionRule =
  { kind: 'each-record' } | { kind: 'before-start'; offsetMs: number } | { kind: 'every'; stepMs: number };

export interface PointInTimeOptions {
  rule: DecisionRule;
  /** Decision times kept: [from, to]. */
  from?: number | undefined;
  to?: number | undefined;
  /** Decisions at or after this are the test set, earlier ones the training set. */
  splitAt?: number | undefined;
  /** Features older than this at a decision are not used (the decision gets no row). */
  maxAgeMs?: number | undefined;
}

/** A training row as of its decision time, with the split it belongs to. */
export type PointInTimeRow = TrainingRow & {
  decisionTime: number;
  /** How old the features were at the decision: decisionTime − eventTime. */
  featuresAgeMs: number;
  split: 'train' | 'test';
};

/** The training set's columns: the decision time first, the split last. */
export const pointInTimeColumns: ColumnSpec<PointInTimeRow>[] = [
  { name: 'decisionTime', type: 'TIMESTAMP' },
  ...(trainingColumns as ColumnSpec<PointInTimeRow>[]),
  { name: 'featuresAgeMs', type: 'DOUBLE' },
  { name: 'split', type: 'STRING' },
];

export interface PointInTimeStats {
  rows: number;
  /** Decisions before a selection's first features record, or whose latest one is older than maxAgeMs. */
  noFeaturesYet: number;
  /** Decisions at or after the result was settled: the outcome was already known. */
  afterSettlement: number;
  /** Training rows whose label was settled only after the split time (it would leak the test period). */
  purged: number;
}

/**
 * The point-in-time training set of one selection's features (in time order) and its result:
 * each decision sees the latest features record at or before it (an as-of join), never a later
 * one, and its label comes from the result. Decisions with no features yet, or at or after
 * settlement, give no row; a training row whose label settled after the split time is purged.
 */
export function pointInTimeRows(
  history: readonly SelectionFeatures[],
  result: Result | undefined,
  options: PointInTimeOptions,
  stats: PointInTimeStats,
): PointInTimeRow[] {
  const first = history[0];
  if (first === undefined) return [];
  const decisions: number[] = [];
  const { rule } = options;
  if (rule.kind === 'each-record') for (const f of history) decisions.push(f.eventTime);
  else if (rule.kind === 'before-start') {
    const start = history.find((f) => f.startTime !== null)?.startTime ?? null;
    if (start !== null) decisions.push(start - rule.offsetMs);
  } else {
    const last = history[history.length - 1]!.eventTime;
    const begin = Math.ceil(first.eventTime / rule.stepMs) * rule.stepMs;
    for (let t = begin; t <= last; t += rule.stepMs) decisions.push(t);
  }
  const label = labelFor(first, result ? [result] : []);
  const rows: PointInTimeRow[] = [];
  let i = -1;
  for (const decision of decisions) {
    if (
      (options.from !== undefined && decision < options.from) ||
      (options.to !== undefined && decision > options.to)
    )
      continue;
    // The last record at or before the decision (decisions ascend, so the index only moves forward).
    while (i + 1 < history.length && history[i + 1]!.eventTime <= decision) i++;
    if (i < 0 || (options.maxAgeMs !== undefined && decision - history[i]!.eventTime > options.maxAgeMs)) {
      stats.noFeaturesYet++;
      continue;
    }
    if (label.settledAt !== null && decision >= label.settledAt) {
      stats.afterSettlement++;
      continue;
    }
    const split = options.splitAt !== undefined && decision >= options.splitAt ? 'test' : 'train';
    if (
      split === 'train' &&
      options.splitAt !== undefined &&
      label.settledAt !== null &&
      label.settledAt >= options.splitAt
    ) {
      stats.purged++;
      continue;
    }
    const features = history[i]!;
    rows.push({
      ...features,
      ...label,
      decisionTime: decision,
      featuresAgeMs: decision - features.eventTime,
      split,
    });
    stats.rows++;
  }
  return rows;
}

export const emptyStats = (): PointInTimeStats => ({
  rows: 0,
  noFeaturesYet: 0,
  afterSettlement: 0,
  purged: 0,
});

/** The key of a selection's history. */
export const selectionKey = (f: { eventId: string; marketId: string; selectionId: string }) =>
  `${f.eventId}\u0000${f.marketId}\u0000${f.selectionId}`;

/** Results by event and market (null market: the whole event), the newest settlement winning. */
export function resultIndex(
  results: Iterable<Result>,
): (eventId: string, marketId: string) => Result | undefined {
  const byKey = new Map<string, Result>();
  for (const r of results) {
    const key = `${r.eventId}\u0000${r.marketId ?? ''}`;
    const known = byKey.get(key);
    if (known === undefined || r.settledAt >= known.settledAt) byKey.set(key, r);
  }
  return (eventId, marketId) => byKey.get(`${eventId}\u0000${marketId}`) ?? byKey.get(`${eventId}\u0000`);
}
