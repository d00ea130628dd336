import { describe, expect, it } from 'vitest';
import {
  batchRows,
  batchStatements,
  describeRecord,
  recordEventTime,
} from '../../../../sinks/timescale/batch.js';
import { marketStatusTable, snapshotsTable } from '../../../../sinks/timescale/tables.js';
import { book, pricing, record, result, startTime, t0 } from '../../../helpers/records.js';

const limits = { rowsPerStatement: 1_000, maxStatementBytes: null };

describe('batchRows', () => {
  it('sends books to snapshots and events, pricing to market_pricing, results to results and events', () => {
    const rows = batchRows([
      record('oddsNormalized', book()),
      record('oddsPricing', pricing()),
      record('resultsNormalized', result()),
    ]);
    expect(rows.snapshots).toHaveLength(2);
    expect(rows.statuses).toMatchObject([{ bookmaker: 'betfair', side: 'back', status: 'OPEN' }]);
    expect(rows.pricing).toHaveLength(2);
    expect(rows.results).toHaveLength(1);
    expect(rows.events.map((e) => e.updatedAt.getTime())).toEqual([t0, startTime + 600_000]);
  });
});

describe('batchStatements', () => {
  it('writes events (sorted by id, for a stable lock order), results, book statuses, snapshots, then pricing', () => {
    const rows = batchRows([
      record('oddsNormalized', book({ eventId: 'b-event' })),
      record('oddsNormalized', book({ eventId: 'a-event' })),
      record('oddsPricing', pricing()),
      record('resultsNormalized', result()),
    ]);
    const statements = batchStatements('s', rows, limits);
    expect(statements.map((s) => /INSERT INTO "s"\."(\w+)"/.exec(s.text)?.[1])).toEqual([
      'events',
      'results',
      'market_status',
      'odds_snapshots',
      'market_pricing',
    ]);
    const eventIds = statements[0]!.values!.filter((_, i) => i % 6 === 0);
    expect(eventIds).toEqual(['a-event', 'b-event', 'horse-racing/2026-03-01/ascot/1300']);
  });

  it('keeps the newest status of a book, whatever order a batch brings them in', () => {
    const rows = batchRows([
      record('oddsNormalized', book({ eventTime: t0 + 2_000, status: 'SUSPENDED' })),
      record('oddsNormalized', book({ eventTime: t0 + 1_000, status: 'OPEN' })),
    ]);
    const statuses = batchStatements('s', rows, limits).find((s) => s.text.includes('market_status'));
    expect(statuses!.values).toContain('SUSPENDED');
    expect(statuses!.values).not.toContain('OPEN');
    expect(statuses!.text).toContain('WHERE EXCLUDED.time >= t.time AND');
  });

  it('collapses a replayed book within one batch into one row per key', () => {
    const rows = batchRows([record('oddsNormalized', book()), record('oddsNormalized', book())]);
    const snapshots = batchStatements('s', rows, limits).find((s) => s.text.includes('odds_snapshots'));
    expect(snapshots!.values).toHaveLength(2 * snapshotsTable.columns.length);
    const statuses = batchStatements('s', rows, limits).find((s) => s.text.includes('market_status'));
    expect(statuses!.values).toHaveLength(marketStatusTable.columns.length);
  });
});

describe('record helpers', () => {
  it('times books and pricing by eventTime and results by settledAt', () => {
    expect(recordEventTime(record('oddsNormalized', book()))).toBe(t0);
    expect(recordEventTime(record('oddsPricing', pricing({ eventTime: t0 + 5 })))).toBe(t0 + 5);
    expect(recordEventTime(record('resultsNormalized', result()))).toBe(startTime + 600_000);
  });

  it('names a record by topic, partition and offset', () => {
    const r = record('oddsPricing', pricing(), 2);
    expect(describeRecord(r)).toBe(`oddsPricing[2]@${r.offset}`);
  });
});
