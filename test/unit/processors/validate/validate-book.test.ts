import { describe, expect, it } from 'vitest';
import { validateBook } from '../../../../processors/validate/validate-book.js';
import type { Issue } from '../../../../processors/validate/issues.js';
import { rawBook, selection } from '../normalize/raw-records.js';

function issuesOf(input: unknown): Issue[] {
  return validateBook(input).issues;
}

describe('validateBook: schema', () => {
  it('accepts a well-formed book and converts its prices', () => {
    const result = validateBook(
      rawBook({ priceFormat: 'american', selections: [selection('A', '-125'), selection('B', '+150')] }),
    );
    expect(result).toMatchObject({ kind: 'checked', issues: [], decimalOdds: [1.8, 2.5] });
  });

  it('reports every schema problem with its path and the SCHEMA code', () => {
    const broken = {
      ...rawBook(),
      side: 'both',
      eventTime: Number.NaN,
      selections: [{ ...selection('A', '2'), size: 'x' }],
    };
    const result = validateBook(broken);
    expect(result.kind).toBe('unreadable');
    expect(result.issues.map((i) => [i.path, i.code])).toEqual([
      ['side', 'SCHEMA'],
      ['selections[0].size', 'SCHEMA'],
      ['eventTime', 'SCHEMA'],
    ]);
    expect(issuesOf('not a record')).toEqual([expect.objectContaining({ path: '', code: 'SCHEMA' })]);
  });

  it('fills the Avro defaults of absent nullable fields (JSON from transform)', () => {
    const { competition: _c, eventName: _e, venue: _v, inPlay: _i, ...sparse } = rawBook();
    expect(validateBook(sparse)).toMatchObject({ kind: 'checked', issues: [] });
  });
});

describe('validateBook: business rules, one issue each', () => {
  it.each([
    [
      'decimal 1.0 (real data)',
      rawBook({ selections: [selection('A', '1.0'), selection('B', '30')] }),
      'selections[0].price',
      'ODDS_OUT_OF_RANGE',
    ],
    [
      'decimal 1001',
      rawBook({ selections: [selection('A', '1001'), selection('B', '1.01')] }),
      'selections[0].price',
      'ODDS_OUT_OF_RANGE',
    ],
    [
      'American -20000 (1.005)',
      rawBook({ priceFormat: 'american', selections: [selection('A', '-20000'), selection('B', '+900')] }),
      'selections[0].price',
      'ODDS_OUT_OF_RANGE',
    ],
    [
      'garbage price',
      rawBook({ selections: [selection('A', 'abc'), selection('B', '2')] }),
      'selections[0].price',
      'INVALID_PRICE',
    ],
    [
      'American +50',
      rawBook({ priceFormat: 'american', selections: [selection('A', '+50'), selection('B', '-200')] }),
      'selections[0].price',
      'INVALID_PRICE',
    ],
    ['one selection', rawBook({ selections: [selection('A', '2')] }), 'selections', 'TOO_FEW_SELECTIONS'],
    [
      'one not removed',
      rawBook({ selections: [selection('A', '2'), selection('B', '3', { status: 'REMOVED' })] }),
      'selections',
      'TOO_FEW_SELECTIONS',
    ],
    [
      'blank selection name',
      rawBook({ selections: [selection('A', '2'), selection('  ', '3', { sourceSelectionId: 'b' })] }),
      'selections[1].name',
      'EMPTY_NAME',
    ],
    ['blank home team', rawBook({ homeTeam: ' ' }), 'homeTeam', 'EMPTY_NAME'],
    [
      'negative size',
      rawBook({ selections: [selection('A', '2', { size: -1 }), selection('B', '3')] }),
      'selections[0].size',
      'NEGATIVE_SIZE',
    ],
    [
      'same id twice',
      rawBook({ selections: [selection('A', '2'), selection('B', '3', { sourceSelectionId: 'A' })] }),
      'selections[1]',
      'DUPLICATE_SELECTION',
    ],
    [
      'same name twice',
      rawBook({
        selections: [selection('Miami Heat', '2'), selection('MIAMI HEAT', '3', { sourceSelectionId: 'x' })],
      }),
      'selections[1]',
      'DUPLICATE_SELECTION',
    ],
    [
      'start a year and a half ahead',
      rawBook({ startTime: Date.parse('2028-07-01T00:00:00Z') }),
      'startTime',
      'START_TIME_OUT_OF_WINDOW',
    ],
    [
      'start long past',
      rawBook({ startTime: Date.parse('2026-12-01T00:00:00Z') }),
      'startTime',
      'START_TIME_OUT_OF_WINDOW',
    ],
  ])('%s → %s %s', (_label, book, path, code) => {
    expect(issuesOf(book)).toEqual([expect.objectContaining({ path, code })]);
  });

  it('accepts the inclusive bounds 1.01 and 1000, zero sizes, and a runner at two lines', () => {
    const book = rawBook({
      selections: [
        selection('A', '1.01', { size: 0 }),
        selection('B', '1000'),
        selection('A', '2', { point: -1.5, sourceSelectionId: 'A' }),
      ],
    });
    expect(issuesOf(book)).toEqual([]);
  });

  it('ignores the stale price of a removed runner and accepts unpriced selections', () => {
    const book = rawBook({
      selections: [selection('A', '2'), selection('B', null), selection('C', '1.0', { status: 'REMOVED' })],
    });
    expect(validateBook(book)).toMatchObject({ issues: [], decimalOdds: [2, null, null] });
  });

  it('collects every issue of a book, not only the first', () => {
    const book = rawBook({
      homeTeam: '',
      startTime: 0,
      selections: [selection('A', '0.5', { size: -3 }), selection('A', 'x')],
    });
    expect(issuesOf(book).map((i) => i.code)).toEqual([
      'EMPTY_NAME',
      'NEGATIVE_SIZE',
      'ODDS_OUT_OF_RANGE',
      'INVALID_PRICE',
      'DUPLICATE_SELECTION',
      'START_TIME_OUT_OF_WINDOW',
    ]);
  });

  it('uses the configured odds range and start-time window', () => {
    const book = rawBook({ selections: [selection('A', '1.5'), selection('B', '60')] });
    expect(validateBook(book, { oddsRange: { min: 1.01, max: 50 } }).issues.map((i) => i.code)).toEqual([
      'ODDS_OUT_OF_RANGE',
    ]);
    const tight = { maxAheadMs: 3_600_000, maxAfterStartMs: 0 };
    expect(validateBook(rawBook(), { startTimeWindow: tight }).issues.map((i) => i.code)).toEqual([
      'START_TIME_OUT_OF_WINDOW',
    ]);
  });
});
