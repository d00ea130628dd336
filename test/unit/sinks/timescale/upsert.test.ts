import { describe, expect, it } from 'vitest';
import { eventsTable, snapshotsTable } from '../../../../sinks/timescale/tables.js';
import {
  dedupe,
  maxBindParameters,
  upsertStatements,
  upsertText,
} from '../../../../sinks/timescale/upsert.js';
import { eventFromBook, snapshotRows, type SnapshotRow } from '../../../../sinks/timescale/rows.js';
import { book, t0 } from '../../../helpers/records.js';

const unlimited = { rowsPerStatement: 100_000, maxStatementBytes: null };

function snapshots(count: number): SnapshotRow[] {
  const [row] = snapshotRows(book());
  return Array.from({ length: count }, (_, i) => ({ ...row!, time: new Date(t0 + i) }));
}

const width = snapshotsTable.columns.length;
const placeholders = (from: number) =>
  `(${Array.from({ length: width }, (_, i) => `$${from + i}`).join(', ')})`;

describe('upsertText', () => {
  it('inserts numbered tuples and updates on the natural key only when something changed', () => {
    const text = upsertText('odds', snapshotsTable, 2);
    expect(text).toContain('INSERT INTO "odds"."odds_snapshots" AS t (time, event_id, market_id,');
    expect(text).toContain(`VALUES ${placeholders(1)}, ${placeholders(width + 1)} ON CONFLICT`);
    expect(text).toContain(
      'ON CONFLICT (event_id, market_id, bookmaker, selection_id, side, time) DO UPDATE SET odds = EXCLUDED.odds',
    );
    expect(text).not.toContain('SET time =');
    expect(text).toMatch(
      /WHERE \(t\.odds, t\.size, .*\) IS DISTINCT FROM \(EXCLUDED\.odds, EXCLUDED\.size, /,
    );
  });

  it('lets events keep known fields and refuse older information', () => {
    const text = upsertText('public', eventsTable, 1);
    expect(text).toContain('competition = coalesce(EXCLUDED.competition, t.competition)');
    expect(text).toContain('WHERE EXCLUDED.updated_at >= t.updated_at AND (t.sport,');
  });
});

describe('upsertStatements', () => {
  it('chunks by rowsPerStatement and numbers each chunk from $1', () => {
    const statements = upsertStatements('s', snapshotsTable, snapshots(25), {
      rowsPerStatement: 10,
      maxStatementBytes: null,
    });
    expect(statements.map((s) => (s.values?.length ?? 0) / width)).toEqual([10, 10, 5]);
    expect(statements[2]!.text).toContain(`${placeholders(4 * width + 1)} ON CONFLICT`);
  });

  it('never exceeds the bind-parameter limit', () => {
    const statements = upsertStatements('s', snapshotsTable, snapshots(5_000), unlimited);
    const perStatement = Math.floor(maxBindParameters / width);
    const counts: number[] = [];
    for (let left = 5_000; left > 0; left -= perStatement) counts.push(Math.min(perStatement, left));
    expect(statements.map((s) => s.values?.length)).toEqual(counts.map((n) => n * width));
    expect(Math.max(...statements.map((s) => s.values?.length ?? 0))).toBeLessThanOrEqual(maxBindParameters);
  });

  it('keeps each statement under the byte cap', () => {
    const statements = upsertStatements('s', snapshotsTable, snapshots(1_000), {
      rowsPerStatement: 1_000,
      maxStatementBytes: 48 * 1024,
    });
    expect(statements.length).toBeGreaterThan(1);
    for (const s of statements) {
      const bytes = s.text.length + (s.values ?? []).reduce((n: number, v) => n + 4 + String(v).length, 0);
      expect(bytes).toBeLessThan(48 * 1024);
    }
    expect(statements.reduce((n, s) => n + (s.values?.length ?? 0), 0)).toBe(1_000 * width);
  });

  it('writes nothing for no rows', () => {
    expect(upsertStatements('s', snapshotsTable, [], unlimited)).toEqual([]);
  });
});

describe('dedupe', () => {
  it('keeps the later of two rows with one key (a statement may not update a row twice)', () => {
    const [first] = snapshots(1);
    const later = { ...first!, odds: 9 };
    expect(dedupe(snapshotsTable, [first!, later])).toEqual([later]);
  });

  it('merges events instead of replacing them', () => {
    const a = eventFromBook(book({ competition: 'Ascot', eventTime: t0 }));
    const b = eventFromBook(book({ competition: null, eventTime: t0 + 1 }));
    expect(dedupe(eventsTable, [a, b])).toEqual([{ ...b, competition: 'Ascot' }]);
  });
});
