import { selectionFeatures } from '../../src/core/serde/market-features.js';
import type { SinkRecord } from '../contract.js';
import type { Statement } from '../migrations/versions.js';
import {
  eventFromBook,
  eventFromResult,
  featuresRow,
  pricingRows,
  resultRow,
  snapshotRows,
  statusRow,
  type EventRow,
  type FeaturesRow,
  type MarketStatusRow,
  type PricingRow,
  type ResultRow,
  type SnapshotRow,
} from './rows.js';
import {
  eventsTable,
  featuresTable,
  marketStatusTable,
  pricingTable,
  resultsTable,
  snapshotsTable,
} from './tables.js';
import { copyChunks, copyStatement, type CopyTableSpec } from './copy.js';
import { dedupe, upsertStatements, type StatementLimits } from './upsert.js';

export interface BatchRows {
  events: EventRow[];
  results: ResultRow[];
  snapshots: SnapshotRow[];
  pricing: PricingRow[];
  features: FeaturesRow[];
  statuses: MarketStatusRow[];
}

/** The rows of every table that a batch of records writes. */
export function batchRows(records: readonly SinkRecord[]): BatchRows {
  const rows: BatchRows = { events: [], results: [], snapshots: [], pricing: [], features: [], statuses: [] };
  for (const record of records) {
    switch (record.topic) {
      case 'oddsNormalized':
        rows.events.push(eventFromBook(record.value));
        rows.snapshots.push(...snapshotRows(record.value));
        rows.statuses.push(statusRow(record.value));
        break;
      case 'oddsPricing':
        rows.pricing.push(...pricingRows(record.value));
        break;
      case 'resultsNormalized':
        rows.events.push(eventFromResult(record.value));
        rows.results.push(resultRow(record.value));
        break;
      case 'featuresMarket':
        for (const selection of selectionFeatures(record.value)) rows.features.push(featuresRow(selection));
        break;
      default:
        break;
    }
  }
  return rows;
}

/**
 * One time-series table's rows of a batch, deduplicated within it: appended by COPY when every
 * row is new, upserted when some may already be stored (a replay, a correction).
 */
export interface SeriesWrite {
  rowCount: number;
  copyStatement: string;
  /** The rows in COPY's binary format, made as they are read; throws NoCopyValue for a value it cannot carry. */
  copyChunks(): Iterable<Buffer>;
  upserts(): Statement[];
}

/** What one batch writes, in this order. */
export interface BatchPlan {
  /**
   * The latest-state tables (events, results, book statuses): always upserts (a row is updated
   * by many records), events and statuses sorted by key so that two sink instances writing
   * overlapping rows take their locks in one order (no deadlocks).
   */
  state: Statement[];
  /** The time series: odds snapshots, pricing, features. */
  series: SeriesWrite[];
}

function seriesWrite<R>(
  schema: string,
  spec: CopyTableSpec<R>,
  rows: readonly R[],
  limits: StatementLimits,
): SeriesWrite {
  const unique = dedupe(spec, rows);
  return {
    rowCount: unique.length,
    copyStatement: copyStatement(schema, spec),
    copyChunks: () => copyChunks(spec, unique),
    upserts: () => upsertStatements(schema, spec, unique, limits),
  };
}

export function batchPlan(schema: string, rows: BatchRows, limits: StatementLimits): BatchPlan {
  const events = dedupe(eventsTable, rows.events).sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
  return {
    state: [
      ...upsertStatements(schema, eventsTable, events, limits),
      ...upsertStatements(schema, resultsTable, rows.results, limits),
      ...upsertStatements(
        schema,
        marketStatusTable,
        dedupe(marketStatusTable, rows.statuses).sort((a, b) => (statusOrder(a) < statusOrder(b) ? -1 : 1)),
        limits,
      ),
    ],
    series: [
      seriesWrite(schema, snapshotsTable, rows.snapshots, limits),
      seriesWrite(schema, pricingTable, rows.pricing, limits),
      seriesWrite(schema, featuresTable, rows.features, limits),
    ].filter((s) => s.rowCount > 0),
  };
}

/** A batch as upserts only: the path that needs no COPY (and finds which record the server refuses). */
export function batchStatements(schema: string, rows: BatchRows, limits: StatementLimits): Statement[] {
  const plan = batchPlan(schema, rows, limits);
  return [...plan.state, ...plan.series.flatMap((s) => s.upserts())];
}

/** Status rows in key order, like events, so concurrent sinks lock them in one order. */
const statusOrder = (r: MarketStatusRow): string =>
  [r.eventId, r.marketId, r.bookmaker, r.side].join('\u0000');

/** The provider's time of a record, where end-to-end latency starts. */
export function recordEventTime(record: SinkRecord): number | null {
  switch (record.topic) {
    case 'oddsNormalized':
    case 'oddsPricing':
    case 'featuresMarket':
      return record.value.eventTime;
    case 'resultsNormalized':
      return record.value.settledAt;
    default:
      return null;
  }
}

export function describeRecord(record: SinkRecord): string {
  return `${record.topic}[${record.partition}]@${record.offset}`;
}
