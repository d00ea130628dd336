import { describe, expect, it } from 'vitest';
import { bestOffer, runnerKey } from '../../../../connectors/betfair/ladders.js';
import { MarketCache } from '../../../../connectors/betfair/market-cache.js';
import type { MarketChangeMessage } from '../../../../connectors/betfair/protocol.js';
import { fixtureMessages } from './helpers.js';

const greyhounds = fixtureMessages('greyhound-win.stream');
const MARKET = '1.238812345';

function cacheWith(messages: readonly MarketChangeMessage[], closedMarketEvictionMs = 3_600_000) {
  const cache = new MarketCache({ closedMarketEvictionMs });
  for (const message of messages) cache.apply(message);
  return cache;
}

function runner(cache: MarketCache, marketId: string, id: number) {
  const found = cache.get(marketId)?.runners.get(runnerKey(id, 0));
  if (found === undefined) throw new Error(`runner ${id} not in ${marketId}`);
  return found;
}

const delta = (pt: number, mc: unknown[], extra: object = {}) =>
  ({ op: 'mcm', pt, mc, ...extra }) as MarketChangeMessage;

describe('MarketCache', () => {
  it('builds the image, then applies level deltas where size 0 deletes the level', () => {
    const cache = cacheWith(greyhounds.slice(0, 1));
    expect([...runner(cache, MARKET, 41000005).batl.entries()]).toEqual([
      [0, { price: 7.0, size: 11.0 }],
      [1, { price: 7.2, size: 22.3 }],
    ]);
    cache.apply(greyhounds[1]!);
    const trap5 = runner(cache, MARKET, 41000005);
    expect([...trap5.batl.entries()]).toEqual([
      [0, { price: 7.0, size: 11.0 }],
      [1, { price: 7.6, size: 2.5 }],
    ]);
    expect(runner(cache, MARKET, 41000003).ltp).toBe(3.8);
    expect(bestOffer(runner(cache, MARKET, 41000003), 'back')).toEqual({ price: 3.8, size: 61.0 });
    expect(cache.get(MARKET)?.tv).toBe(845.9);
  });

  it('deletes prices of the full-depth ladders with size 0 and clears the traded ladder on trd: []', () => {
    const cache = cacheWith(greyhounds.slice(0, 1));
    cache.apply(
      delta(2, [
        {
          id: MARKET,
          rc: [
            {
              id: 41000001,
              atb: [
                [5.9, 10],
                [5.8, 3],
              ],
              trd: [
                [5.9, 4],
                [6, 2],
              ],
            },
          ],
        },
      ]),
    );
    cache.apply(delta(3, [{ id: MARKET, rc: [{ id: 41000001, atb: [[5.9, 0]], trd: [[6, 0]] }] }]));
    const trap1 = runner(cache, MARKET, 41000001);
    expect([...trap1.atb.entries()]).toEqual([[5.8, 3]]);
    expect([...trap1.trd.entries()]).toEqual([[5.9, 4]]);
    // The full-depth ladder wins over the rolled-up levels once it has prices.
    expect(bestOffer(trap1, 'back')).toEqual({ price: 5.8, size: 3 });
    cache.apply(delta(4, [{ id: MARKET, rc: [{ id: 41000001, trd: [] }] }]));
    expect(trap1.trd.size).toBe(0);
  });

  it('replaces a market on img: true, keeping its definition when the image has none', () => {
    const cache = cacheWith(greyhounds.slice(0, 2));
    cache.apply(delta(5, [{ id: MARKET, img: true, rc: [{ id: 41000002, batb: [[0, 4.5, 9]] }] }]));
    const market = cache.get(MARKET)!;
    expect(market.definition?.venue).toBe('Romford');
    expect(runner(cache, MARKET, 41000003).batb.size).toBe(0);
    expect(runner(cache, MARKET, 41000003).ltp).toBeNull();
    expect([...runner(cache, MARKET, 41000002).batb.values()]).toEqual([{ price: 4.5, size: 9 }]);
    expect(market.tv).toBeNull();
  });

  it('replaces the definition whole: a field left out of the new one is gone', () => {
    const cache = cacheWith(greyhounds.slice(0, 1));
    const { venue: _venue, ...withoutVenue } = greyhounds[0]!.mc![0]!.marketDefinition!;
    cache.apply(delta(6, [{ id: MARKET, marketDefinition: { ...withoutVenue, status: 'SUSPENDED' } }]));
    expect(cache.get(MARKET)?.definition?.venue).toBeUndefined();
    expect(cache.get(MARKET)?.definition?.status).toBe('SUSPENDED');
  });

  it('merges one runner split over several entries of an image, with "NaN"/"Infinity" as no value', () => {
    const messages = fixtureMessages('1.205822330.gz');
    const cache = cacheWith(messages.slice(0, 26));
    const legend = runner(cache, '1.205822330', 45368013);
    expect(Object.fromEntries(legend.atl)).toEqual({ 75: 0.54, 150: 0.27, 40: 1.04 });
    expect(Object.fromEntries(legend.atb)).toEqual({ 8: 14.47, 1.02: 322, 6: 20.27, 7: 16.89 });
    expect([...legend.spl.entries()]).toEqual([[1.01, 2.76]]);
    expect([legend.spn, legend.spf]).toEqual([8.0, 1.0]);
    expect(bestOffer(legend, 'back')).toEqual({ price: 8, size: 14.47 });
    expect(bestOffer(legend, 'lay')).toEqual({ price: 40, size: 1.04 });

    const realaide = runner(cache, '1.205822330', 49808334);
    expect(realaide.spn).toBe(3.95);
    expect(realaide.spf).toBeNull();
    cache.apply(delta(7, [{ id: '1.205822330', rc: [{ id: 49808334, spn: 'Infinity' }] }]));
    expect(realaide.spn).toBeNull();
  });

  it('applies a segmented change only at SEG_END, and takes the clocks from it', () => {
    const cache = new MarketCache({ closedMarketEvictionMs: 1000 });
    const [image] = greyhounds;
    const definition = image!.mc![0]!.marketDefinition!;
    const start = delta(1, [{ id: '1.1', img: true, marketDefinition: { ...definition } }], {
      ct: 'SUB_IMAGE',
      segmentType: 'SEG_START',
    });
    const middle = delta(1, [{ id: '1.2', img: true, marketDefinition: { ...definition } }], {
      segmentType: 'SEG',
    });
    const end = delta(1, [{ id: '1.1', rc: [{ id: 41000001, batb: [[0, 2, 5]] }] }], {
      segmentType: 'SEG_END',
      initialClk: 'init',
      clk: 'c1',
    });
    expect(cache.apply(start)).toBeUndefined();
    expect(cache.apply(middle)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.clocks()).toEqual({ initialClk: undefined, clk: undefined });
    const update = cache.apply(end)!;
    expect(update.changeType).toBe('SUB_IMAGE');
    expect(update.markets.map((m) => [m.market.id, m.changes.length])).toEqual([
      ['1.1', 2],
      ['1.2', 1],
    ]);
    expect(cache.clocks()).toEqual({ initialClk: 'init', clk: 'c1' });
  });

  it('drops a half-received segment after a reconnect instead of applying it later', () => {
    const cache = cacheWith(greyhounds.slice(0, 1));
    cache.apply(
      delta(9, [{ id: MARKET, rc: [{ id: 41000001, batb: [[0, 9, 9]] }] }], { segmentType: 'SEG_START' }),
    );
    cache.discardSegment();
    cache.apply(
      delta(10, [{ id: MARKET, rc: [{ id: 41000002, batb: [[0, 8, 8]] }] }], { segmentType: 'SEG_END' }),
    );
    expect(runner(cache, MARKET, 41000001).batb.get(0)?.price).toBe(5.9);
    expect(runner(cache, MARKET, 41000002).batb.get(0)?.price).toBe(8);
  });

  it('tracks initialClk and clk, heartbeats included, and forgets them on resetClocks', () => {
    const cache = cacheWith(greyhounds.slice(0, 3));
    expect(cache.clocks()).toEqual({ initialClk: 'G7DWq7ADH5SJmZoD', clk: 'AAEAAQAB' });
    const heartbeat = cache.apply(delta(11, [], { ct: 'HEARTBEAT', clk: 'AAEAAQAC' }));
    expect(heartbeat?.markets).toEqual([]);
    expect(cache.clocks().clk).toBe('AAEAAQAC');
    cache.resetClocks();
    expect(cache.clocks()).toEqual({ initialClk: undefined, clk: undefined });
  });

  it('evicts a closed market once closedMarketEvictionMs of publish time has passed', () => {
    const cache = cacheWith(greyhounds, 60_000);
    const closedAt = greyhounds.at(-1)!.pt;
    expect(cache.get(MARKET)?.closedAt).toBe(closedAt);
    expect(cache.apply(delta(closedAt + 59_999, [], { ct: 'HEARTBEAT' }))?.evicted).toEqual([]);
    expect(cache.apply(delta(closedAt + 60_000, [], { ct: 'HEARTBEAT' }))?.evicted).toEqual([MARKET]);
    expect(cache.size).toBe(0);
  });

  it('drops markets a new subscription image no longer contains', () => {
    const cache = cacheWith(greyhounds.slice(0, 1));
    const definition = greyhounds[0]!.mc![0]!.marketDefinition!;
    const update = cache.apply(
      delta(12, [{ id: '1.99', img: true, marketDefinition: definition }], { ct: 'SUB_IMAGE' }),
    );
    expect(update?.evicted).toEqual([MARKET]);
    expect([...cache.values()].map((m) => m.id)).toEqual(['1.99']);
  });

  it('round-trips through toImage/restore with the same ladders and clocks', () => {
    const messages = fixtureMessages('1.185781277.gz').slice(0, 3000);
    const cache = cacheWith(messages);
    const copy = new MarketCache({ closedMarketEvictionMs: 1000 });
    copy.restore(
      JSON.parse(JSON.stringify(cache.toImage())) as ReturnType<MarketCache['toImage']>,
      cache.clocks(),
      1,
    );
    expect(copy.clocks()).toEqual(cache.clocks());
    const original = cache.get('1.185781277')!;
    const restored = copy.get('1.185781277')!;
    expect(restored.definition).toEqual(original.definition);
    for (const [key, r] of original.runners) {
      const other = restored.runners.get(key)!;
      expect(Object.fromEntries(other.atb)).toEqual(Object.fromEntries(r.atb));
      expect(Object.fromEntries(other.batl)).toEqual(Object.fromEntries(r.batl));
      expect([other.ltp, other.tv, other.spn]).toEqual([r.ltp, r.tv, r.spn]);
    }
  });
});
