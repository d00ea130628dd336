import { describe, expect, it } from 'vitest';
import {
  eventFromBook,
  eventFromResult,
  mergeEvents,
  pricingRows,
  resultRow,
  snapshotRows,
} from '../../../../sinks/timescale/rows.js';
import { book, pricing, result, startTime, t0 } from '../../../helpers/records.js';
import { selectionExtras } from '../../../helpers/record-defaults.js';

describe('snapshotRows', () => {
  it('makes one row per priced selection, at the book eventTime', () => {
    const rows = snapshotRows(book());
    expect(rows.map((r) => r.selectionId)).toEqual(['sel-a', 'sel-b']);
    expect(rows[0]).toEqual({
      time: new Date(t0),
      eventId: 'horse-racing/2026-03-01/ascot/1300',
      marketId: 'WIN',
      bookmaker: 'betfair',
      selectionId: 'sel-a',
      side: 'back',
      odds: 2.5,
      size: 120,
      point: null,
      impliedProbability: 0.4,
      selectionStatus: 'ACTIVE',
      inPlay: false,
      provider: 'betfair',
      receivedAt: new Date(t0 + 40),
      marketStatus: 'OPEN',
      sourceEventId: '31873357',
      sourceMarketId: '1.205822330',
      sourceSelectionId: null,
      handicap: null,
      lastTradedPrice: null,
      tradedVolume: null,
      totalMatched: null,
      depth: null,
      bspNear: null,
      bspFar: null,
    });
  });

  it('skips selections without a usable price', () => {
    const rows = snapshotRows(
      book({
        selections: [
          {
            selectionId: 'x',
            name: null,
            decimalOdds: Number.NaN,
            point: null,
            size: null,
            status: 'ACTIVE',
            ...selectionExtras(),
          },
          {
            selectionId: 'y',
            name: null,
            decimalOdds: 0,
            point: null,
            size: null,
            status: 'ACTIVE',
            ...selectionExtras(),
          },
          {
            selectionId: 'z',
            name: null,
            decimalOdds: 1.91,
            point: -5.5,
            size: null,
            status: 'ACTIVE',
            ...selectionExtras(),
          },
        ],
      }),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ selectionId: 'z', point: -5.5, size: null });
  });
});

describe('pricingRows', () => {
  it('gives every method its column and joins the cross-book state by selection', () => {
    const [a, b] = pricingRows(pricing());
    expect(a).toMatchObject({
      selectionId: 'sel-a',
      method: 'shin',
      pricingStatus: 'OK',
      overround: 0.05,
      bookPercentage: 105,
      odds: 2.5,
      fairProbability: 0.38,
      fairMultiplicative: 0.4,
      fairAdditive: 0.2,
      fairPower: 0.1,
      fairShin: 0.05,
      fairOddsRatio: 0.025,
      fairOther: null,
      bestOdds: 2.6,
      bestBookmaker: 'pinnacle',
      consensusFairProbability: 0.39,
      bookCount: 2,
      arbitrage: false,
    });
    expect(b).toMatchObject({ selectionId: 'sel-b', bestBookmaker: 'betfair', time: new Date(t0) });
  });

  it('keeps methods without a column in fairOther and leaves missing ones null', () => {
    const p = pricing();
    p.selections[0]!.fairProbabilities = { multiplicative: 0.4, 'new-method': 0.37, constructor: 0.1 };
    const [a] = pricingRows(p);
    expect(a).toMatchObject({
      fairMultiplicative: 0.4,
      fairShin: null,
      fairOther: { 'new-method': 0.37, constructor: 0.1 },
    });
  });

  it('leaves the best price null for a selection the cross-book state does not name', () => {
    const p = pricing();
    p.crossBook.selections = [];
    expect(pricingRows(p).map((r) => r.bestOdds)).toEqual([null, null]);
  });
});

describe('results and events', () => {
  it('keys an event-level result by an empty market id', () => {
    expect(resultRow(result())).toMatchObject({
      marketId: '',
      winners: ['sel-a'],
      settledAt: new Date(startTime + 600_000),
    });
    expect(resultRow(result({ marketId: 'PLACE' })).marketId).toBe('PLACE');
  });

  it('takes the event from a book at its eventTime and from a result at its settlement', () => {
    expect(eventFromBook(book())).toEqual({
      eventId: 'horse-racing/2026-03-01/ascot/1300',
      sport: 'horse-racing',
      competition: 'Ascot',
      eventName: 'Ascot R3',
      startTime: new Date(startTime),
      updatedAt: new Date(t0),
    });
    expect(eventFromResult(result())).toMatchObject({
      competition: null,
      updatedAt: new Date(startTime + 600_000),
    });
  });

  it('merges so that newer fields win and nulls never erase, in either order', () => {
    const older = eventFromBook(book({ eventName: 'Old name' }));
    const newer = eventFromResult(result({ eventName: 'New name', startTime: null }));
    const expected = {
      eventId: older.eventId,
      sport: 'horse-racing',
      competition: 'Ascot',
      eventName: 'New name',
      startTime: new Date(startTime),
      updatedAt: newer.updatedAt,
    };
    expect(mergeEvents(older, newer)).toEqual(expected);
    expect(mergeEvents(newer, older)).toEqual(expected);
  });
});
