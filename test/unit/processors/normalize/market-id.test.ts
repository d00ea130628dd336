import { describe, expect, it } from 'vitest';
import {
  canonicalMarket,
  canonicalMarketType,
  formatLine,
} from '../../../../processors/normalize/market-id.js';
import { runnerName, selectionIdFor } from '../../../../processors/normalize/selection-id.js';
import { emptyAliasTables } from '../../../../processors/normalize/aliases.js';

const sel = (selectionId: string, point: number | null, index = 0) => ({ selectionId, point, index });

describe('canonicalMarketType', () => {
  it.each([
    ['h2h', 'H2H', false],
    ['h2h_lay', 'H2H', true],
    ['spreads', 'SPREAD', false],
    ['totals', 'TOTAL', false],
    ['outrights', 'OUTRIGHT', false],
    ['outrights_lay', 'OUTRIGHT', true],
    ['WIN', 'WIN', false],
    ['PLACE', 'PLACE', false],
    ['MATCH_ODDS', 'H2H', false],
    ['ASIAN_HANDICAP', 'SPREAD', false],
    ['correct score', 'CORRECT_SCORE', false],
  ])('%s → %s (lay %s)', (key, type, lay) => {
    expect(canonicalMarketType(key)).toMatchObject({ marketType: type, lay });
  });
});

describe('canonicalMarket', () => {
  it('names a spread by the line of the selection whose id sorts first', () => {
    const a = canonicalMarket('spreads', null, [sel('miami-heat', 5.5), sel('boston-celtics', -5.5)]);
    const b = canonicalMarket('spreads', null, [sel('boston-celtics', -5.5), sel('miami-heat', 5.5)]);
    expect(a).toEqual(b);
    expect(a.ok && a.market).toEqual({
      marketType: 'SPREAD',
      line: -5.5,
      marketId: 'SPREAD@-5.5',
      lay: false,
    });
    const pickEm = canonicalMarket('spreads', null, [sel('a', 0), sel('b', -0)]);
    expect(pickEm.ok && pickEm.market.marketId).toBe('SPREAD@0');
    expect(formatLine(-0)).toBe('0');
  });

  it('names a total by its line', () => {
    const total = canonicalMarket('totals', null, [sel('over', 220.5), sel('under', 220.5)]);
    expect(total.ok && total.market.marketId).toBe('TOTAL@220.5');
  });

  it('rejects lines that do not agree, and handicap selections without one', () => {
    expect(canonicalMarket('totals', null, [sel('over', 220.5), sel('under', 221.5, 1)])).toEqual({
      ok: false,
      issues: [
        {
          path: 'selections',
          code: 'LINE_MISMATCH',
          message: 'total selections at different lines: 220.5, 221.5',
        },
      ],
    });
    const spread = canonicalMarket('spreads', null, [sel('a', -5.5), sel('b', 6.5, 1)]);
    expect(!spread.ok && spread.issues[0]?.code).toBe('LINE_MISMATCH');
    const missing = canonicalMarket('spreads', null, [sel('a', -5.5), sel('b', null, 1)]);
    expect(!missing.ok && missing.issues).toEqual([
      { path: 'selections[1].point', code: 'MISSING_LINE', message: 'a SPREAD selection needs a point' },
    ]);
  });

  it('keeps H2H for two selections and makes it 3-way with a draw', () => {
    const two = canonicalMarket('h2h', null, [sel('a', null), sel('b', null)]);
    const draw = canonicalMarket('h2h', null, [sel('a', null), sel('draw', null)]);
    expect(two.ok && two.market.marketId).toBe('H2H');
    expect(draw.ok && draw.market.marketId).toBe('H2H_3WAY');
  });

  it('puts the places paid in a place market id', () => {
    const place = canonicalMarket('PLACE', 3, [sel('a', null), sel('b', null)]);
    const unknown = canonicalMarket('PLACE', null, [sel('a', null), sel('b', null)]);
    expect(place.ok && place.market.marketId).toBe('PLACE@3');
    expect(unknown.ok && unknown.market.marketId).toBe('PLACE');
  });
});

describe('selection ids', () => {
  it.each([
    ['1. Realaide', 'Realaide'],
    ['12. Who Said So', 'Who Said So'],
    ['3 Dog Name', 'Dog Name'],
    ['(4) Fast Trap', 'Fast Trap'],
    ['Realaide (NZ)', 'Realaide'],
  ])('runner %j → %j', (name, bare) => {
    expect(runnerName(name)).toBe(bare);
  });

  it('only strip cloth numbers and read over/under in the markets where they mean that', () => {
    const id = (kind: Parameters<typeof selectionIdFor>[0], name: string) =>
      selectionIdFor(kind, 'ws-json', { name, sourceSelectionId: '9' }, emptyAliasTables);
    expect(id('runner', 'Over The Moon')).toBe('over-the-moon');
    expect(id('over-under', 'Over 47.5')).toBe('over');
    expect(id('participant', '1860 Munich')).toBe('1860-munich');
    expect(id('runner', '1. Realaide')).toBe('realaide');
    expect(id('participant', 'Tie')).toBe('draw');
    expect(id('participant', ' ')).toBe('ws-json-9');
  });
});
