import { describe, expect, it } from 'vitest';
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Result, SelectionFeatures } from '../../../src/core/generated/avro-types.js';
import { joinResults, toColumns, toCsv } from '../../../src/app/ops/training-set.js';
import { toJsonLine } from '../../../src/app/ops/json-lines.js';
import { featuresExtras } from '../../helpers/record-defaults.js';

const feature = (
  selectionId: string,
  eventId = 'horse-racing/2026-11-20/flemington/0300',
): SelectionFeatures => ({
  eventId,
  marketId: 'WIN',
  selectionId,
  name: `Runner ${selectionId}`,
  eventTime: Date.UTC(2026, 10, 20, 2, 55),
  startTime: Date.UTC(2026, 10, 20, 3, 0),
  secondsToStart: 300,
  inPlay: false,
  openingOdds: 4,
  currentOdds: 3.5,
  changeSinceOpen: -0.125,
  consensusProbability: 0.27,
  probabilityVelocity1m: 0.001,
  probabilityVelocity5m: 0.002,
  volatility5m: 0.01,
  numberOfBooks: 3,
  marketOverround: 0.05,
  ...featuresExtras,
});

const result: Result = {
  eventId: 'horse-racing/2026-11-20/flemington/0300',
  marketId: 'WIN',
  sport: 'horse-racing',
  eventName: null,
  startTime: Date.UTC(2026, 10, 20, 3, 0),
  provider: 'betfair',
  scores: [],
  placings: [
    { selectionId: 'a', name: 'A', status: 'WINNER' },
    { selectionId: 'b', name: 'B', status: 'LOSER' },
  ],
  winners: ['a'],
  settledAt: Date.UTC(2026, 10, 20, 3, 2),
  processedAt: Date.UTC(2026, 10, 20, 3, 2),
};

describe('training set', () => {
  it('labels features with the result of their event and market, and leaves unsettled ones null', () => {
    const rows = joinResults([feature('a'), feature('b'), feature('c', 'other-event')], [result]);
    expect(rows.map((r) => [r.selectionId, r.won, r.outcome])).toEqual([
      ['a', true, 'WINNER'],
      ['b', false, 'LOSER'],
      ['c', null, null],
    ]);
    expect(rows[0]!.settledAt).toBe(result.settledAt);
  });

  it('writes CSV with a header, ISO times and empty cells for nulls', () => {
    const csv = toCsv(joinResults([feature('a'), feature('c', 'x')], [result]));
    const [header, first, second] = csv.trim().split('\n');
    expect(header!.split(',')).toContain('won');
    expect(first).toContain('2026-11-20T02:55:00.000Z');
    expect(first).toContain(',true,WINNER,');
    expect(second!.endsWith(',,,')).toBe(true);
  });

  it('writes Parquet that a Parquet reader reads back', async () => {
    const rows = joinResults([feature('a'), feature('b'), feature('c', 'x')], [result]);
    const buffer = parquetWriteBuffer({ columnData: toColumns(rows) });
    const back = (await parquetReadObjects({ file: buffer })) as Record<string, unknown>[];
    expect(back).toHaveLength(3);
    expect(back.map((r) => r.selectionId)).toEqual(['a', 'b', 'c']);
    expect(back.map((r) => r.won)).toEqual([true, false, null]);
    expect(back[0]!.currentOdds).toBe(3.5);
  });
});

describe('toJsonLine', () => {
  it('writes bytes as base64 so any language can read them back', () => {
    const line = toJsonLine({ key: Buffer.from('k:1'), originalValue: Buffer.from([0, 1, 2]), n: 1 });
    expect(JSON.parse(line)).toEqual({ key: { base64: 'azox' }, originalValue: { base64: 'AAEC' }, n: 1 });
  });
});
