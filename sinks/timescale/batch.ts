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
 * The statements of one batch, in a fixed table order and with events sorted by id, so that two
 * sink instances writing overlapping events take row locks in the same order (no deadlocks).
 */
export function batchStatements(schema: string, rows: BatchRows, limits: StatementLimits): Statement[] {
  const events = dedupe(eventsTable, rows.events).sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
  return [
    ...upsertStatements(schema, eventsTable, events, limits),
    ...upsertStatements(schema, resultsTable, rows.results, limits),
    ...upsertStatements(
      schema,
      marketStatusTable,
      dedupe(marketStatusTable, rows.statuses).sort((a, b) => (statusOrder(a) < statusOrder(b) ? -1 : 1)),
      limits,
    ),
    ...upsertStatements(schema, snapshotsTable, rows.snapshots, limits),
    ...upsertStatements(schema, pricingTable, rows.pricing, limits),
    ...upsertStatements(schema, featuresTable, rows.features, limits),
  ];
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
