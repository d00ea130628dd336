import { describe, expect, it } from 'vitest';
import { MarketStore, marketKey, type DropReason } from '../../../../processors/state/market-store.js';

interface Market {
  name: string;
  lastEventTime: number;
}

function store(maxMarkets: number) {
  const dropped: [string, DropReason][] = [];
  const markets = new MarketStore<Market>({
    maxMarkets,
    lastEventTime: (market) => market.lastEventTime,
    onDropped: (_key, market, reason) => dropped.push([market.name, reason]),
  });
  /** Uses the market `name` and sets its latest event time, as the states do on a record. */
  const put = (name: string, eventTime: number) => {
    const market = markets.use(name, () => ({ name, lastEventTime: -Infinity }));
    market.lastEventTime = eventTime;
    return market;
  };
  /** The markets held, least recently used first: the order a sweep of everything drops them in. */
  const held = () => {
    const before = dropped.length;
    markets.sweepIdle(Infinity);
    return dropped.splice(before).map(([name]) => name);
  };
  return { markets, dropped, put, held };
}

describe('MarketStore', () => {
  it('creates a market once and hands back the same one after', () => {
    const { markets, put } = store(3);
    const first = put('m1', 10);
    let created = 0;
    const again = markets.use('m1', () => {
      created++;
      return { name: 'other', lastEventTime: 0 };
    });
    expect(again).toBe(first);
    expect(created).toBe(0);
    expect(markets.size).toBe(1);
  });

  it('holds at most maxMarkets, dropping the least recently used and saying so', () => {
    const { markets, dropped, put, held } = store(3);
    put('m1', 1);
    put('m2', 2);
    put('m3', 3);
    put('m1', 4); // m1 is now the most recent
    put('m4', 5);
    expect(markets.size).toBe(3);
    expect(dropped).toEqual([['m2', 'least-recent']]);
    expect(held()).toEqual(['m3', 'm1', 'm4']);
  });

  it('sweeps the markets whose latest event time is before the cut-off, and only those', () => {
    const { markets, dropped, put, held } = store(10);
    put('old', 100);
    put('edge', 200);
    put('recent', 300);
    expect(markets.sweepIdle(200)).toBe(1);
    expect(dropped).toEqual([['old', 'idle']]);
    expect(markets.sweepIdle(200)).toBe(0);
    expect(held()).toEqual(['edge', 'recent']);
  });

  it('judges idleness by event time, not by use: a market used with an old time is swept', () => {
    const { markets, put, held } = store(10);
    put('late', 300);
    put('used-last', 50);
    expect(markets.sweepIdle(100)).toBe(1);
    expect(held()).toEqual(['late']);
  });

  it('keeps the order of use and the bound across a sweep', () => {
    const { markets, dropped, put } = store(3);
    put('a', 1);
    put('b', 100);
    put('c', 100);
    markets.sweepIdle(50); // drops a
    put('d', 100); // room left by the sweep: nothing dropped
    expect(dropped).toEqual([['a', 'idle']]);
    put('b', 101);
    put('e', 100); // c is now the least recently used
    expect(dropped).toEqual([
      ['a', 'idle'],
      ['c', 'least-recent'],
    ]);
    expect(markets.size).toBe(3);
  });

  it('starts a swept or dropped market afresh', () => {
    const { markets, put } = store(1);
    const first = put('m1', 1);
    put('m2', 2);
    expect(put('m1', 3)).not.toBe(first);
    markets.sweepIdle(10);
    expect(markets.size).toBe(0);
  });

  it('keys two different (event, market) pairs apart even when their ids hold separators', () => {
    expect(marketKey('a:b', 'c')).not.toBe(marketKey('a', 'b:c'));
    expect(marketKey('e1', 'H2H')).toBe(marketKey('e1', 'H2H'));
  });
});
