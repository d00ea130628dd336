import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrossBookState } from '../../../../processors/enrich/cross-book.js';
import { priceBook } from '../../../../processors/enrich/pricing.js';
import type { BookPricing } from '../../../../processors/enrich/pricing.js';
import type { MarketBook } from '../../../../src/generated/avro-types.js';
import { marketBook, runner } from './books.js';

const t0 = Date.parse('2027-01-14T18:00:00Z');

/** A three-way book of `bookmaker` priced multiplicatively; odds in the order home, away, draw. */
function threeWay(
  bookmaker: string,
  odds: [number, number, number],
  overrides: Partial<MarketBook> = {},
): BookPricing {
  const [home, away, draw] = odds;
  const book = marketBook({
    eventId: 'soccer:2021-11-20:atalanta:spezia',
    marketId: 'H2H_3WAY',
    bookmaker,
    eventTime: t0,
    selections: [runner('home', home), runner('away', away), runner('draw', draw)],
    ...overrides,
  });
  return priceBook(book, { method: 'multiplicative', now: t0 });
}

const fairOf = (pricing: BookPricing, selectionId: string): number =>
  pricing.selections.find((s) => s.selectionId === selectionId)?.fairProbability ?? Number.NaN;

describe('CrossBookState', () => {
  // Real prices: Serie A, Atalanta v Spezia (the-odds-api real-data, 2021).
  const pinnacle = threeWay('pinnacle', [1.3, 8.39, 5.98]);
  const onexbet = threeWay('onexbet', [1.31, 10, 6.35]);
  const marathon = threeWay('marathonbet', [1.3, 10.25, 6.3]);

  it('keeps the best back price per selection with its bookmaker, and the mean fair probability', () => {
    const state = new CrossBookState();
    state.update(pinnacle, 'OPEN');
    state.update(onexbet, 'OPEN');
    const cross = state.update(marathon, 'OPEN');
    expect(cross.bookCount).toBe(3);
    expect(cross.selections.map((s) => [s.selectionId, s.bestOdds, s.bestBookmaker])).toEqual([
      ['away', 10.25, 'marathonbet'],
      ['draw', 6.35, 'onexbet'],
      ['home', 1.31, 'onexbet'],
    ]);
    const home = cross.selections.find((s) => s.selectionId === 'home');
    expect(home?.consensusFairProbability).toBeCloseTo(
      (fairOf(pinnacle, 'home') + fairOf(onexbet, 'home') + fairOf(marathon, 'home')) / 3,
      15,
    );
    expect(cross.bestBookSum).toBeCloseTo(1 / 10.25 + 1 / 6.35 + 1 / 1.31, 15);
    expect(cross.arbitrage).toBe(false);
  });

  it('flags an arbitrage when the best prices of a back market sum below 1', () => {
    const state = new CrossBookState();
    state.update(threeWay('a', [2.2, 3.6, 3.4]), 'OPEN');
    const cross = state.update(threeWay('b', [1.9, 4.6, 3.5]), 'OPEN');
    expect(cross.bestBookSum).toBeCloseTo(1 / 2.2 + 1 / 4.6 + 1 / 3.5, 15);
    expect(cross.bestBookSum).toBeLessThan(1);
    expect(cross.arbitrage).toBe(true);
  });

  it('flags it too when the complete book is priced by a method that fell back', () => {
    const additive = (bookmaker: string, odds: number[]): BookPricing =>
      priceBook(
        marketBook({
          bookmaker,
          selections: odds.map((d, i) => runner(['home', 'away', 'draw'][i] ?? '', d)),
        }),
        { method: 'additive', now: t0 },
      );
    const state = new CrossBookState();
    const complete = additive('a', [1.25, 500, 4]);
    expect(complete.pricingStatus).toBe('NOT_CONVERGED'); // additive takes the 500 shot below 0
    state.update(complete, 'OPEN');
    const cross = state.update(additive('b', [1.3, 450, 5.2]), 'OPEN');
    expect(cross.bestBookSum).toBeCloseTo(1 / 1.3 + 1 / 500 + 1 / 5.2, 15);
    expect(cross.arbitrage).toBe(true);
  });

  it('takes the lowest price on the lay side and never flags arbitrage there', () => {
    const state = new CrossBookState();
    state.update(threeWay('betfair', [1.36, 15, 11.5], { side: 'lay' }), 'OPEN');
    const cross = state.update(threeWay('matchbook', [1.34, 16, 11], { side: 'lay' }), 'OPEN');
    expect(cross.selections.map((s) => [s.selectionId, s.bestOdds, s.bestBookmaker])).toEqual([
      ['away', 15, 'betfair'],
      ['draw', 11, 'matchbook'],
      ['home', 1.34, 'matchbook'],
    ]);
    expect(cross.bestBookSum).toBeLessThan(1);
    expect(cross.arbitrage).toBe(false);
  });

  it('keeps back and lay books of one market apart', () => {
    const state = new CrossBookState();
    state.update(threeWay('betfair', [1.36, 15, 11.5], { side: 'lay' }), 'OPEN');
    const back = state.update(pinnacle, 'OPEN');
    expect(back.bookCount).toBe(1);
    expect(back.selections.find((s) => s.selectionId === 'away')?.bestOdds).toBe(8.39);
    expect(state.size).toBe(2);
  });

  it('does not call a market missing an outcome an arbitrage', () => {
    const state = new CrossBookState();
    // Both books list home and away only (no draw): Σ 1/best < 1 without being an arbitrage.
    const twoOfThree = (bookmaker: string, home: number, away: number): BookPricing =>
      priceBook(
        marketBook({
          bookmaker,
          selections: [runner('home', home), runner('away', away), runner('draw', null)],
        }),
        { method: 'multiplicative', now: t0 },
      );
    state.update(twoOfThree('a', 2.2, 3.6), 'OPEN');
    const cross = state.update(twoOfThree('b', 2.1, 3.9), 'OPEN');
    expect(cross.bestBookSum).toBeLessThan(1);
    expect(cross.arbitrage).toBe(false);
  });

  it('gives a tie for best price to the bookmaker whose name sorts first, in any order', () => {
    const first = new CrossBookState();
    first.update(threeWay('zebra', [1.3, 9, 6]), 'OPEN');
    const a = first.update(threeWay('alpha', [1.3, 8, 5]), 'OPEN');
    const second = new CrossBookState();
    second.update(threeWay('alpha', [1.3, 8, 5]), 'OPEN');
    const b = second.update(threeWay('zebra', [1.3, 9, 6]), 'OPEN');
    expect(a.selections.find((s) => s.selectionId === 'home')?.bestBookmaker).toBe('alpha');
    expect(b).toEqual(a);
  });

  it('stops counting a suspended book, and one whose selections were all removed', () => {
    const state = new CrossBookState();
    state.update(pinnacle, 'OPEN');
    state.update(onexbet, 'OPEN');
    const suspended = state.update({ ...onexbet, eventTime: t0 + 1000 }, 'SUSPENDED');
    expect(suspended.bookCount).toBe(1);
    expect(suspended.selections.every((s) => s.bestBookmaker === 'pinnacle')).toBe(true);

    const removed = priceBook(
      marketBook({
        eventId: pinnacle.eventId,
        marketId: pinnacle.marketId,
        bookmaker: 'pinnacle',
        eventTime: t0 + 2000,
        selections: ['home', 'away', 'draw'].map((id) => runner(id, 2, 'REMOVED')),
      }),
      { method: 'multiplicative', now: t0 },
    );
    const none = state.update(removed, 'OPEN');
    expect(none).toEqual({ bookCount: 0, bestBookSum: 0, arbitrage: false, selections: [] });
    expect(state.update({ ...onexbet, eventTime: t0 + 3000 }, 'OPEN').bookCount).toBe(1);
  });

  it('drops a single selection that a book no longer prices', () => {
    const state = new CrossBookState();
    state.update(onexbet, 'OPEN');
    const withdrawn = threeWay('onexbet', [1.31, 10, 6.35]);
    withdrawn.selections = withdrawn.selections.filter((s) => s.selectionId !== 'away');
    const cross = state.update({ ...withdrawn, eventTime: t0 + 1 }, 'OPEN');
    expect(cross.selections.map((s) => s.selectionId)).toEqual(['draw', 'home']);
  });

  it('ignores a book older than the one it already holds for that bookmaker', () => {
    const state = new CrossBookState();
    state.update({ ...onexbet, eventTime: t0 + 5000 }, 'OPEN');
    const cross = state.update({ ...threeWay('onexbet', [1.2, 20, 9]), eventTime: t0 }, 'OPEN');
    expect(cross.selections.find((s) => s.selectionId === 'away')?.bestOdds).toBe(10);
  });

  it('leaves single-selection books out of the consensus unless nothing else quotes the selection', () => {
    const state = new CrossBookState();
    state.update(pinnacle, 'OPEN');
    const lone = priceBook(
      marketBook({
        eventId: pinnacle.eventId,
        marketId: pinnacle.marketId,
        bookmaker: 'lonely',
        eventTime: t0,
        selections: [runner('home', 1.4), runner('outsider', 50)].map((s, i) =>
          i === 0 ? s : { ...s, status: 'REMOVED' },
        ),
      }),
      { method: 'multiplicative', now: t0 },
    );
    expect(lone.pricingStatus).toBe('SINGLE_SELECTION');
    const cross = state.update(lone, 'OPEN');
    const home = cross.selections.find((s) => s.selectionId === 'home');
    expect(home).toMatchObject({ bestOdds: 1.4, bestBookmaker: 'lonely' });
    expect(home?.consensusFairProbability).toBe(fairOf(pinnacle, 'home'));
  });

  it('forgets every market of a finished event', () => {
    const state = new CrossBookState();
    state.update(pinnacle, 'OPEN');
    state.update({ ...pinnacle, marketId: 'TOTAL@2.5' }, 'OPEN');
    state.update({ ...pinnacle, eventId: 'other-event' }, 'OPEN');
    expect(state.size).toBe(3);
    expect(state.evictEvent(pinnacle.eventId)).toBe(2);
    expect(state.evictEvent(pinnacle.eventId)).toBe(0);
    expect(state.size).toBe(1);
    expect(state.update(onexbet, 'OPEN').bookCount).toBe(1);
  });

  it('forgets markets not updated since a given event time', () => {
    const state = new CrossBookState();
    state.update({ ...pinnacle, marketId: 'old', eventTime: t0 - 60_000 }, 'OPEN');
    state.update({ ...pinnacle, marketId: 'recent', eventTime: t0 }, 'OPEN');
    expect(state.evictNotUpdatedSince(t0 - 1)).toBe(1);
    expect(state.size).toBe(1);
    expect(state.update({ ...onexbet, marketId: 'recent' }, 'OPEN').bookCount).toBe(2);
  });

  it('holds at most maxMarkets markets, dropping the least recently updated', () => {
    const state = new CrossBookState({ maxMarkets: 3 });
    for (const marketId of ['m1', 'm2', 'm3']) state.update({ ...pinnacle, marketId }, 'OPEN');
    state.update({ ...onexbet, marketId: 'm1' }, 'OPEN'); // m1 is now the most recent
    state.update({ ...pinnacle, marketId: 'm4' }, 'OPEN'); // drops m2
    expect(state.size).toBe(3);
    expect(state.update({ ...marathon, marketId: 'm1' }, 'OPEN').bookCount).toBe(3);
    expect(state.update({ ...marathon, marketId: 'm2' }, 'OPEN').bookCount).toBe(1);
  });

  it('holds at most maxBooksPerMarket books per market', () => {
    const state = new CrossBookState({ maxBooksPerMarket: 2 });
    state.update(pinnacle, 'OPEN');
    state.update(onexbet, 'OPEN');
    const cross = state.update(marathon, 'OPEN');
    expect(cross.bookCount).toBe(2);
    expect(cross.selections.some((s) => s.bestBookmaker === 'pinnacle')).toBe(false);
  });

  it('never exceeds its bounds, whatever the stream', () => {
    const update = fc.record({
      event: fc.integer({ min: 0, max: 5 }),
      market: fc.integer({ min: 0, max: 5 }),
      bookmaker: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      status: fc.constantFrom('OPEN', 'OPEN', 'SUSPENDED'),
      evict: fc.option(fc.integer({ min: 0, max: 5 }), { freq: 8 }),
    });
    fc.assert(
      fc.property(
        fc.array(update, { maxLength: 80 }),
        fc.integer({ min: 1, max: 6 }),
        (updates, maxMarkets) => {
          const state = new CrossBookState({ maxMarkets, maxBooksPerMarket: 3 });
          for (const u of updates) {
            const pricing = {
              ...pinnacle,
              eventId: `e${u.event}`,
              marketId: `m${u.market}`,
              bookmaker: u.bookmaker,
            };
            const cross = state.update(pricing, u.status);
            expect(cross.bookCount).toBeLessThanOrEqual(3);
            expect(state.size).toBeLessThanOrEqual(maxMarkets);
            if (u.evict !== null) state.evictEvent(`e${u.evict}`);
          }
        },
      ),
    );
  });
});
