import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../../sinks/redis/config.js';
import {
  bestFields,
  bookFields,
  expiryOf,
  marketFields,
  marketKey,
  planWrites,
  pricingFields,
} from '../../../../sinks/redis/layout.js';
import { book, pricing, record, result, startTime, t0 } from '../../../helpers/records.js';

const config = configSchema.parse({ keyPrefix: 'test:' });
const hour = 3_600_000;

describe('field layout', () => {
  it('keys a market per kind under the prefix', () => {
    expect(marketKey('p:', 'odds', 'ev', 'SPREAD@-5.5')).toBe('p:odds:ev:SPREAD@-5.5');
  });

  it('writes one field per bookmaker, selection and side, the time first in the JSON', () => {
    const fields = bookFields(book());
    expect(fields.map((f) => f.field)).toEqual([
      'betfair|sel-a|back',
      'betfair|sel-b|back',
      'betfair|sel-c|back',
    ]);
    expect(fields[0]!.t).toBe(t0);
    expect(fields[0]!.render('7')).toMatch(new RegExp(`^\\{"t":${t0},"o":7,"odds":`));
    expect(JSON.parse(fields[0]!.render('7'))).toEqual({
      t: t0,
      o: 7,
      odds: 2.5,
      size: 120,
      point: null,
      status: 'ACTIVE',
      marketStatus: 'OPEN',
      inPlay: false,
      provider: 'betfair',
      sourceSelectionId: null,
      handicap: null,
      lastTradedPrice: null,
      tradedVolume: null,
      depth: [],
      bspNear: null,
      bspFar: null,
    });
    expect(JSON.parse(fields[2]!.render('7'))).toMatchObject({ odds: null, status: 'REMOVED' });
  });

  it("says in every price that its market is suspended, and keeps the book's status and ids apart", () => {
    const suspended = book({
      status: 'SUSPENDED',
      marketBaseRate: 5,
      totalMatched: 1200,
      selections: book().selections.map((s, i) => ({
        ...s,
        sourceSelectionId: String(1001 + i),
        handicap: 0,
        lastTradedPrice: 2.4,
        tradedVolume: 300,
        depth: [{ price: 2.5, size: 120 }],
      })),
    });
    expect(JSON.parse(bookFields(suspended)[0]!.render('7'))).toMatchObject({
      marketStatus: 'SUSPENDED',
      sourceSelectionId: '1001',
      handicap: 0,
      lastTradedPrice: 2.4,
      tradedVolume: 300,
      depth: [{ price: 2.5, size: 120 }],
    });
    const [status] = marketFields(suspended);
    expect(status!.field).toBe('betfair|back');
    expect(JSON.parse(status!.render('7'))).toEqual({
      t: t0,
      o: 7,
      status: 'SUSPENDED',
      inPlay: false,
      settled: false,
      provider: 'betfair',
      sourceEventId: '31873357',
      sourceMarketId: '1.205822330',
      marketBaseRate: 5,
      totalMatched: 1200,
    });
  });

  it('writes a book pricing field and best prices per side and selection', () => {
    const [book] = pricingFields(pricing());
    expect(book!.field).toBe('betfair|back');
    expect(JSON.parse(book!.render('7'))).toMatchObject({
      t: t0,
      method: 'shin',
      overround: 0.05,
      selections: [{ selectionId: 'sel-a', fairProbability: 0.38 }, { selectionId: 'sel-b' }],
    });
    const best = bestFields(pricing());
    expect(best.map((f) => f.field)).toEqual(['back', 'back|sel-a', 'back|sel-b']);
    expect(JSON.parse(best[0]!.render('7'))).toEqual({
      t: t0,
      o: 7,
      bookCount: 2,
      bestBookSum: 1.02,
      arbitrage: false,
      phase: 'pre-match',
      asOf: null,
      leftOut: {},
      backBack: null,
      backLay: [],
    });
    expect(JSON.parse(best[1]!.render('7'))).toMatchObject({
      t: t0,
      bestOdds: 2.6,
      bestBookmaker: 'pinnacle',
      consensusFairProbability: 0.39,
    });
  });

  it('clears the best price of a selection no combined book quotes any more', () => {
    const p = pricing();
    const withdrawn = bestFields({
      ...p,
      crossBook: {
        ...p.crossBook,
        selections: p.crossBook.selections.filter((s) => s.selectionId !== 'sel-b'),
      },
    });
    expect(withdrawn.map((f) => f.field)).toEqual(['back', 'back|sel-a', 'back|sel-b']);
    expect(JSON.parse(withdrawn[2]!.render('7'))).toEqual({
      t: t0,
      o: 7,
      bestOdds: null,
      bestBookmaker: null,
    });
  });
});

describe('expiryOf', () => {
  const ttl = { ttlAfterStartSeconds: 6 * 3600, ttlAfterWriteSeconds: 3600 };

  it('keeps a market until its start plus the allowance, however early the write', () => {
    expect(expiryOf(startTime, t0, ttl)).toBe(startTime + 6 * hour);
  });

  it('keeps a market written long after its start for the after-write allowance', () => {
    expect(expiryOf(startTime, startTime + 10 * hour, ttl)).toBe(startTime + 11 * hour);
  });

  it('uses the after-write allowance alone without a start time', () => {
    expect(expiryOf(null, t0, ttl)).toBe(t0 + hour);
  });
});

describe('planWrites', () => {
  it('groups by key, keeps the newest value of a field and the latest expiry', () => {
    const writes = planWrites(
      [
        record('oddsNormalized', book({ eventTime: t0 + 2_000 })),
        record('oddsNormalized', book({ eventTime: t0 + 1_000, bookmaker: 'betfair' })),
        record('oddsPricing', pricing()),
      ],
      config,
    );
    expect(writes.map((w) => w.key)).toEqual([
      'test:odds:horse-racing/2026-03-01/ascot/1300:WIN',
      'test:market:horse-racing/2026-03-01/ascot/1300:WIN',
      'test:pricing:horse-racing/2026-03-01/ascot/1300:WIN',
      'test:best:horse-racing/2026-03-01/ascot/1300:WIN',
    ]);
    const odds = writes[0]!;
    expect(odds.fields.map((f) => f.t)).toEqual([t0 + 2_000, t0 + 2_000, t0 + 2_000]);
    expect(odds.expireAt).toBe(startTime + 12 * hour);
  });

  it('keeps, between equal times, the record at the later offset, and stores the offset after the time', () => {
    const correction = { ...record('oddsNormalized', book({ eventTime: t0 })), offset: '11' };
    const earlier = book({ eventTime: t0 });
    const replayed = {
      ...record('oddsNormalized', {
        ...earlier,
        selections: earlier.selections.map((s) => ({ ...s, decimalOdds: 9 })),
      }),
      offset: '10',
    };
    const [odds] = planWrites([correction, replayed], config);
    expect(odds!.fields.map((f) => f.o)).toEqual(['11', '11', '11']);
    expect(planWrites([replayed, correction], config)[0]!.fields.map((f) => f.o)).toEqual(['11', '11', '11']);
    expect(odds!.fields[0]!.value).toMatch(/^\{"t":\d+,"o":11,"odds":2\.5,/);
  });

  it('ignores results: Redis holds live prices only', () => {
    expect(planWrites([record('resultsNormalized', result())], config)).toEqual([]);
  });
});
