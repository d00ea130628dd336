import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrossBookState, type CrossBookOptions } from '../../../../processors/enrich/cross-book.js';
import { priceBook } from '../../../../processors/enrich/pricing.js';
import type { BookPricing } from '../../../../processors/enrich/pricing.js';
import type { CrossBook, MarketBook } from '../../../../src/core/generated/avro-types.js';
import { marketBook, runner } from './books.js';

const t0 = Date.parse('2027-01-14T18:00:00Z');
const start = Date.parse('2027-01-15T00:10:00Z');

/** A three-way book of `bookmaker` priced multiplicatively; odds in the order home, away, draw. */
function threeWay(
  bookmaker: string,
  odds: [number, number, number],
  overrides: Partial<MarketBook> = {},
): BookPricing {
  const [home, away, draw] = odds;
  const book = marketBook({
    eventId: 'soccer/2021-11-20/atalanta~spezia',
    marketId: 'H2H_3WAY',
    bookmaker,
    eventTime: t0,
    selections: [runner('home', home), runner('away', away), runner('draw', draw)],
    ...overrides,
  });
  return priceBook(book, { method: 'multiplicative', now: t0 });
}

/** Records `pricing` as received when it was stamped (no clock skew), with a book status. */
const put = (state: CrossBookState, pricing: BookPricing, status = 'OPEN'): CrossBook =>
  state.update({ ...pricing, status }, pricing.eventTime);

const fairOf = (pricing: BookPricing, selectionId: string): number =>
  pricing.selections.find((s) => s.selectionId === selectionId)?.fairProbability ?? Number.NaN;

const best = (cross: CrossBook) => cross.selections.map((s) => [s.selectionId, s.bestOdds, s.bestBookmaker]);

describe('CrossBookState', () => {
  // Real prices: Serie A, Atalanta v Spezia (the-odds-api real-data, 2021).
  const pinnacle = threeWay('pinnacle', [1.3, 8.39, 5.98]);
  const onexbet = threeWay('onexbet', [1.31, 10, 6.35]);
  const marathon = threeWay('marathonbet', [1.3, 10.25, 6.3]);

  it('keeps the best back price per selection with its bookmaker, and the mean fair probability', () => {
    const state = new CrossBookState();
    put(state, pinnacle);
    put(state, onexbet);
    const cross = put(state, marathon);
    expect(cross.bookCount).toBe(3);
    expect(best(cross)).toEqual([
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
    expect(cross).toMatchObject({ phase: 'pre-match', asOf: t0, leftOut: {}, bookLeftOut: null });
  });

  it('carries the time, age and provider ids of each best quote', () => {
    const state = new CrossBookState();
    put(state, { ...pinnacle, eventTime: t0 - 30_000, sourceEventId: 'ev-p', sourceMarketId: 'h2h' });
    const cross = put(state, { ...onexbet, sourceEventId: 'ev-1x', sourceMarketId: 'h2h' });
    const home = cross.selections.find((s) => s.selectionId === 'home');
    expect(home).toMatchObject({
      bestOdds: 1.31,
      bestBookmaker: 'onexbet',
      provider: 'the-odds-api',
      quoteTime: t0,
      ageMs: 0,
      sourceEventId: 'ev-1x',
      sourceMarketId: 'h2h',
      sourceSelectionId: 'home',
    });
    const away = cross.selections.find((s) => s.selectionId === 'away');
    expect(away).toMatchObject({ bestBookmaker: 'onexbet' });
    const pinnacleOnly = put(new CrossBookState(), { ...pinnacle, eventTime: t0 - 30_000 });
    expect(pinnacleOnly.selections[0]).toMatchObject({ quoteTime: t0 - 30_000, ageMs: 0 });
  });

  it('flags a back-back arbitrage when the best prices sum below 1, with a stake split that pays the same whatever wins', () => {
    const state = new CrossBookState();
    put(state, threeWay('a', [2.2, 3.6, 3.4]));
    const cross = put(state, threeWay('b', [1.9, 4.6, 3.5]));
    const sum = 1 / 2.2 + 1 / 4.6 + 1 / 3.5;
    expect(cross.bestBookSum).toBeCloseTo(sum, 15);
    expect(cross.arbitrage).toBe(true);
    expect(cross.backBack?.profit).toBeCloseTo(1 / sum - 1, 12);
    const stakes = cross.backBack!.stakes;
    expect(stakes.map((s) => [s.selectionId, s.bookmaker, s.odds])).toEqual([
      ['away', 'b', 4.6],
      ['draw', 'b', 3.5],
      ['home', 'a', 2.2],
    ]);
    expect(stakes.reduce((total, s) => total + s.stakeShare, 0)).toBeCloseTo(1, 12);
    for (const s of stakes) expect(s.stakeShare * s.odds - 1).toBeCloseTo(cross.backBack!.profit, 12);
  });

  it('deducts commission before calling an arbitrage, and ranks prices after it', () => {
    // Before commission 1/2.1 + 1/2.0 = 0.976: an arbitrage. After Betfair's 5 % on the 2.1 it
    // nets 2.045, and 1/2.045 + 1/2.0 = 0.989 is still one; at 10 % (AU base rate) 1.99 is not.
    const twoWay = (bookmaker: string, home: number, away: number, extra: Partial<MarketBook> = {}) =>
      priceBook(
        marketBook({ bookmaker, selections: [runner('home', home), runner('away', away)], ...extra }),
        { method: 'multiplicative', now: t0 },
      );
    const uk = new CrossBookState();
    put(uk, twoWay('betfair', 2.1, 1.8, { provider: 'betfair', marketBaseRate: 5 }));
    const five = put(uk, twoWay('fanduel', 1.8, 2.0));
    expect(five.selections.find((s) => s.selectionId === 'home')).toMatchObject({
      bestOdds: 2.1,
      bestBookmaker: 'betfair',
      netOdds: 1 + 1.1 * 0.95,
    });
    expect(five.backBack?.profit).toBeCloseTo(1 / (1 / 2.045 + 1 / 2.0) - 1, 12);

    const au = new CrossBookState();
    put(au, twoWay('betfair', 2.1, 1.8, { provider: 'betfair', marketBaseRate: 10 }));
    const ten = put(au, twoWay('fanduel', 1.8, 2.0));
    expect(ten.bestBookSum).toBeLessThan(1); // before commission it looks like one
    expect(ten.arbitrage).toBe(false);
    expect(ten.backBack).toBeNull();

    // A bookmaker at 2.0 beats the exchange's 2.1 once 10 % is taken from the exchange's winnings.
    put(au, twoWay('pinnacle', 2.0, 1.7));
    const ranked = put(au, twoWay('fanduel', 1.8, 2.0, { eventTime: t0 + 1 }));
    expect(ranked.selections.find((s) => s.selectionId === 'home')?.bestBookmaker).toBe('pinnacle');
  });

  it('finds back-versus-lay across books after both commissions, with the lay stake that locks the profit', () => {
    const twoWay = (
      bookmaker: string,
      side: 'back' | 'lay',
      home: number,
      away: number,
      size: number | null = null,
    ) =>
      priceBook(
        marketBook({
          bookmaker,
          side,
          provider: bookmaker === 'betfair' ? 'betfair' : 'the-odds-api',
          marketBaseRate: bookmaker === 'betfair' ? 5 : null,
          selections: [
            { ...runner('home', home), size },
            { ...runner('away', away), size },
          ],
        }),
        { method: 'multiplicative', now: t0 },
      );
    const state = new CrossBookState();
    put(state, twoWay('betfair', 'back', 2.16, 1.75, 500));
    put(state, twoWay('betfair', 'lay', 2.2, 1.78, 80));
    const back = put(state, twoWay('williamhill', 'back', 2.3, 1.6));
    expect(back.arbitrage).toBe(true);
    expect(back.backBack).toBeNull();
    expect(back.backLay).toHaveLength(1);
    const [found] = back.backLay;
    expect(found).toMatchObject({
      selectionId: 'home',
      back: { bookmaker: 'williamhill', odds: 2.3 },
      lay: { bookmaker: 'betfair', odds: 2.2, sourceSelectionId: 'home' },
    });
    const c = 0.05;
    const layStake = found!.lay.stakeShare;
    expect(layStake).toBeCloseTo(2.3 / (2.2 - c), 12);
    // Per unit backed: the same money whichever way the selection goes.
    const ifWins = 2.3 - 1 - layStake * (2.2 - 1);
    const ifLoses = layStake * (1 - c) - 1;
    expect(ifWins).toBeCloseTo(ifLoses, 12);
    expect(found!.profit).toBeCloseTo(ifWins, 12);
    expect(found!.profit).toBeGreaterThan(0);
    expect(found!.maxBackStake).toBeCloseTo(80 / layStake, 9); // the lay side offers 80

    // The lay record of the same market says so too.
    const lay = put(state, { ...twoWay('betfair', 'lay', 2.2, 1.78, 80), eventTime: t0 + 1 });
    expect(lay.arbitrage).toBe(true);
    expect(lay.selections.map((s) => [s.selectionId, s.bestOdds])).toEqual([
      ['away', 1.78],
      ['home', 2.2],
    ]);
  });

  it('never pairs an exchange with itself, and finds nothing when the lay beats the back after commission', () => {
    const book = (bookmaker: string, side: 'back' | 'lay', home: number) =>
      priceBook(marketBook({ bookmaker, side, selections: [runner('home', home), runner('away', 3)] }), {
        method: 'multiplicative',
        now: t0,
      });
    const state = new CrossBookState();
    put(state, book('smarkets', 'back', 2.2));
    const self = put(state, book('smarkets', 'lay', 2.1));
    expect(self.backLay).toEqual([]);
    put(state, book('bet365', 'back', 2.0));
    // 2.2 back at smarkets nets 2.176; a lay at 2.18 on smarkets costs 1 + 1.18/0.98 = 2.204.
    const none = put(state, book('smarkets', 'lay', 2.18));
    expect(none.arbitrage).toBe(false);
  });

  it('reports each opening of an arbitrage once, not every update while it stays open', () => {
    const opened: string[] = [];
    const state = new CrossBookState({ onArbitrageOpened: (kind) => opened.push(kind) });
    put(state, threeWay('a', [2.2, 3.6, 3.4]));
    put(state, threeWay('b', [1.9, 4.6, 3.5])); // opens
    put(state, threeWay('b', [1.9, 4.6, 3.5], { eventTime: t0 + 1 })); // still open
    put(state, threeWay('b', [1.5, 3.0, 3.0], { eventTime: t0 + 2 })); // closed
    put(state, threeWay('b', [1.9, 4.7, 3.5], { eventTime: t0 + 3 })); // opens again
    expect(opened).toEqual(['back-back', 'back-back']);
  });

  it('dutches a place market against the places paid', () => {
    const place = (bookmaker: string, odds: number[]) =>
      priceBook(
        marketBook({
          marketId: 'PLACE@2',
          marketType: 'PLACE',
          numberOfPlaces: 2,
          bookmaker,
          selections: odds.map((d, i) => runner(`r${i}`, d)),
        }),
        { method: 'multiplicative', now: t0 },
      );
    const state = new CrossBookState();
    put(state, place('a', [1.25, 1.8, 2.2, 3.5]));
    const cross = put(state, place('b', [1.3, 1.7, 2.6, 4]));
    const sum = 1 / 1.3 + 1 / 1.8 + 1 / 2.6 + 1 / 4; // 1.96: above 1, below the 2 places
    expect(cross.backBack?.profit).toBeCloseTo(2 / sum - 1, 12);
    expect(cross.backBack?.netBookSum).toBeCloseTo(sum / 2, 12);
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
    put(state, complete);
    const cross = put(state, additive('b', [1.3, 450, 5.2]));
    expect(cross.bestBookSum).toBeCloseTo(1 / 1.3 + 1 / 500 + 1 / 5.2, 15);
    expect(cross.arbitrage).toBe(true);
  });

  it('takes the lowest price on the lay side, and lay quotes alone make no arbitrage', () => {
    const state = new CrossBookState();
    put(state, threeWay('betfair', [1.36, 15, 11.5], { side: 'lay' }));
    const cross = put(state, threeWay('matchbook', [1.34, 16, 11], { side: 'lay' }));
    expect(best(cross)).toEqual([
      ['away', 15, 'betfair'],
      ['draw', 11, 'matchbook'],
      ['home', 1.34, 'matchbook'],
    ]);
    expect(cross.bestBookSum).toBeLessThan(1);
    expect(cross.arbitrage).toBe(false);
  });

  it('keeps back and lay books of one market apart', () => {
    const state = new CrossBookState();
    put(state, threeWay('betfair', [1.36, 15, 11.5], { side: 'lay' }));
    const back = put(state, pinnacle);
    expect(back.bookCount).toBe(1);
    expect(back.selections.find((s) => s.selectionId === 'away')?.bestOdds).toBe(8.39);
    expect(state.size).toBe(1);
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
    put(state, twoOfThree('a', 2.2, 3.6));
    const cross = put(state, twoOfThree('b', 2.1, 3.9));
    expect(cross.bestBookSum).toBeLessThan(1);
    expect(cross.arbitrage).toBe(false);
  });

  it('gives a tie for best price to the bookmaker whose name sorts first, in any order', () => {
    const first = new CrossBookState();
    put(first, threeWay('zebra', [1.3, 9, 6]));
    const a = put(first, threeWay('alpha', [1.3, 8, 5]));
    const second = new CrossBookState();
    put(second, threeWay('alpha', [1.3, 8, 5]));
    const b = put(second, threeWay('zebra', [1.3, 9, 6]));
    expect(a.selections.find((s) => s.selectionId === 'home')?.bestBookmaker).toBe('alpha');
    expect(b).toEqual(a);
  });

  it('withdraws a suspended or closed book, and one whose selections were all removed', () => {
    const state = new CrossBookState();
    put(state, pinnacle);
    put(state, onexbet);
    const suspended = put(state, { ...onexbet, eventTime: t0 + 1000 }, 'SUSPENDED');
    expect(suspended.bookCount).toBe(1);
    expect(suspended.selections.every((s) => s.bestBookmaker === 'pinnacle')).toBe(true);
    expect(suspended).toMatchObject({ leftOut: { suspended: 1 }, bookLeftOut: 'suspended' });
    const closed = put(state, { ...onexbet, eventTime: t0 + 1500 }, 'CLOSED');
    expect(closed).toMatchObject({ bookCount: 1, leftOut: { closed: 1 }, bookLeftOut: 'closed' });

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
    const none = put(state, removed);
    expect(none).toMatchObject({ bookCount: 0, bestBookSum: 0, arbitrage: false, selections: [] });
    expect(put(state, { ...onexbet, eventTime: t0 + 3000 }).bookCount).toBe(1);
  });

  it('drops a single selection that a book no longer prices', () => {
    const state = new CrossBookState();
    put(state, onexbet);
    const withdrawn = threeWay('onexbet', [1.31, 10, 6.35]);
    withdrawn.selections = withdrawn.selections.filter((s) => s.selectionId !== 'away');
    const cross = put(state, { ...withdrawn, eventTime: t0 + 1 });
    expect(cross.selections.map((s) => s.selectionId)).toEqual(['draw', 'home']);
  });

  it('ignores a book older than the one it already holds for that bookmaker, and says so', () => {
    const state = new CrossBookState();
    put(state, { ...onexbet, eventTime: t0 + 5000 });
    const cross = put(state, { ...threeWay('onexbet', [1.2, 20, 9]), eventTime: t0 });
    expect(cross.selections.find((s) => s.selectionId === 'away')?.bestOdds).toBe(10);
    expect(cross.bookLeftOut).toBe('superseded');
  });

  it('leaves single-selection books out of the consensus unless nothing else quotes the selection', () => {
    const state = new CrossBookState();
    put(state, pinnacle);
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
    const cross = put(state, lone);
    const home = cross.selections.find((s) => s.selectionId === 'home');
    expect(home).toMatchObject({ bestOdds: 1.4, bestBookmaker: 'lonely' });
    expect(home?.consensusFairProbability).toBe(fairOf(pinnacle, 'home'));
  });

  describe('phase and freshness', () => {
    // A pre-match price 5 h before the start and an in-play one 40 min after it (issue 13).
    const preMatch = threeWay('pinnacle', [2.6, 3.1, 3.3], {
      startTime: start,
      eventTime: start - 5 * 3_600_000,
    });
    const inPlay = threeWay('onexbet', [1.5, 9.5, 6], { startTime: start, eventTime: start + 40 * 60_000 });

    it('combines only quotes of one phase: once in play, pre-match prices are left out', () => {
      const state = new CrossBookState();
      const before = put(state, preMatch);
      expect(before).toMatchObject({ phase: 'pre-match', bookCount: 1 });
      const cross = put(state, inPlay);
      // 1/2.6 + 1/9.5 + 1/6 = 0.657 across the two phases: a false 52 % "arbitrage".
      expect(cross).toMatchObject({ phase: 'in-play', bookCount: 1, arbitrage: false, backBack: null });
      expect(cross.selections.every((s) => s.bestBookmaker === 'onexbet')).toBe(true);
      expect(cross.leftOut).toEqual({ 'other-phase': 1 });
      // A late pre-match record of the same market is judged against the market's phase too.
      const late = put(state, { ...preMatch, bookmaker: 'marathonbet' });
      expect(late).toMatchObject({ phase: 'in-play', bookLeftOut: 'other-phase', bookCount: 1 });
    });

    it("takes the provider's in-play flag, and a price stamped after the start, as in play", () => {
      const flagged = threeWay('betfair', [1.5, 9.5, 6], {
        startTime: start,
        eventTime: start - 60_000,
        inPlay: true,
      });
      const state = new CrossBookState();
      put(state, threeWay('pinnacle', [1.6, 8, 5], { startTime: start, eventTime: start - 120_000 }));
      expect(put(state, flagged)).toMatchObject({ phase: 'in-play', leftOut: { 'other-phase': 1 } });
    });

    it('leaves out a quote further behind the newest than the phase allows', () => {
      const options: Partial<CrossBookOptions> = {
        freshness: { maxAgeMs: { 'pre-match': 600_000, 'in-play': 30_000 }, futureToleranceMs: 5_000 },
      };
      const state = new CrossBookState(options);
      put(state, threeWay('a', [2.2, 3.6, 3.4], { eventTime: t0 }));
      // 10 min later the other book arrives: a's quote is exactly at the limit, still in.
      const atLimit = put(state, threeWay('b', [1.9, 4.6, 3.5], { eventTime: t0 + 600_000 }));
      expect(atLimit).toMatchObject({ bookCount: 2, arbitrage: true });
      const past = put(state, threeWay('b', [1.9, 4.6, 3.5], { eventTime: t0 + 600_001 }));
      expect(past).toMatchObject({ bookCount: 1, arbitrage: false, leftOut: { stale: 1 } });
      expect(past.selections.every((s) => s.bestBookmaker === 'b' && s.ageMs === 0)).toBe(true);
      // In play the limit is the in-play one.
      const live = new CrossBookState(options);
      put(live, threeWay('a', [2.2, 3.6, 3.4], { eventTime: t0, inPlay: true }));
      const cross = put(live, threeWay('b', [1.9, 4.6, 3.5], { eventTime: t0 + 30_001, inPlay: true }));
      expect(cross).toMatchObject({ phase: 'in-play', bookCount: 1, leftOut: { stale: 1 } });
    });

    it('leaves out a quote stamped in the future, which does not move the market clock', () => {
      const state = new CrossBookState();
      put(state, threeWay('a', [2.2, 3.6, 3.4]));
      const skewed = threeWay('b', [1.9, 4.6, 3.5], { eventTime: t0 + 2 * 3_600_000 });
      const cross = state.update(skewed, t0 + 1000); // received at t0 + 1 s
      expect(cross).toMatchObject({ bookLeftOut: 'future', asOf: t0, bookCount: 1, arbitrage: false });
      expect(cross.leftOut).toEqual({ future: 1 });
      // within the tolerance it is fine
      const near = state.update(threeWay('c', [2, 4, 3.5], { eventTime: t0 + 9_000 }), t0);
      expect(near).toMatchObject({ bookLeftOut: null, asOf: t0 + 9_000 });
    });

    it('counts each bookmaker once per reason it is left out for, not on every update', () => {
      const counted: [string, number][] = [];
      const state = new CrossBookState({ onLeftOut: (reason, quotes) => counted.push([reason, quotes]) });
      put(state, preMatch);
      put(state, inPlay);
      put(state, { ...inPlay, eventTime: inPlay.eventTime + 1000 });
      put(state, { ...inPlay, bookmaker: 'x', eventTime: inPlay.eventTime + 2000 }, 'SUSPENDED');
      put(state, { ...inPlay, bookmaker: 'x', eventTime: inPlay.eventTime + 3000 }, 'SUSPENDED');
      state.update({ ...inPlay, bookmaker: 'y', eventTime: inPlay.eventTime + 3_600_000 }, inPlay.eventTime);
      expect(counted).toEqual([
        ['other-phase', 3],
        ['suspended', 3],
        ['future', 3],
      ]);
    });
  });

  it('forgets markets not updated since a given event time', () => {
    const state = new CrossBookState();
    put(state, { ...pinnacle, marketId: 'old', eventTime: t0 - 60_000 });
    put(state, { ...pinnacle, marketId: 'recent', eventTime: t0 });
    expect(state.evictNotUpdatedSince(t0 - 1)).toBe(1);
    expect(state.size).toBe(1);
    expect(put(state, { ...onexbet, marketId: 'recent' }).bookCount).toBe(2);
  });

  it('holds at most maxMarkets markets, dropping the least recently updated', () => {
    const state = new CrossBookState({ maxMarkets: 3 });
    for (const marketId of ['m1', 'm2', 'm3']) put(state, { ...pinnacle, marketId });
    put(state, { ...onexbet, marketId: 'm1' }); // m1 is now the most recent
    put(state, { ...pinnacle, marketId: 'm4' }); // drops m2
    expect(state.size).toBe(3);
    expect(put(state, { ...marathon, marketId: 'm1' }).bookCount).toBe(3);
    expect(put(state, { ...marathon, marketId: 'm2' }).bookCount).toBe(1);
  });

  it('holds at most maxBooksPerMarket books per market', () => {
    const state = new CrossBookState({ maxBooksPerMarket: 2 });
    put(state, pinnacle);
    put(state, onexbet);
    const cross = put(state, marathon);
    expect(cross.bookCount).toBe(2);
    expect(cross.selections.some((s) => s.bestBookmaker === 'pinnacle')).toBe(false);
  });

  it('never exceeds its bounds nor combines two phases or a stale quote, whatever the stream', () => {
    const update = fc.record({
      event: fc.integer({ min: 0, max: 3 }),
      market: fc.integer({ min: 0, max: 3 }),
      bookmaker: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      side: fc.constantFrom('back', 'back', 'lay'),
      status: fc.constantFrom('OPEN', 'OPEN', 'SUSPENDED'),
      minutes: fc.integer({ min: -400, max: 200 }),
      inPlay: fc.boolean(),
      skewMs: fc.constantFrom(0, 0, 60_000),
      idleMinutes: fc.option(fc.integer({ min: 0, max: 120 }), { freq: 8 }),
    });
    fc.assert(
      fc.property(
        fc.array(update, { maxLength: 80 }),
        fc.integer({ min: 1, max: 6 }),
        (updates, maxMarkets) => {
          const state = new CrossBookState({ maxMarkets, maxBooksPerMarket: 6 });
          for (const u of updates) {
            const eventTime = start + u.minutes * 60_000;
            const pricing = {
              ...pinnacle,
              eventId: `e${u.event}`,
              marketId: `m${u.market}`,
              bookmaker: u.bookmaker,
              side: u.side,
              startTime: start,
              inPlay: u.inPlay,
              eventTime,
            };
            const shared = state.update({ ...pricing, status: u.status }, eventTime - u.skewMs);
            expect(shared.bookCount).toBeLessThanOrEqual(5);
            expect(state.size).toBeLessThanOrEqual(maxMarkets);
            for (const s of shared.selections) {
              expect(s.ageMs).not.toBeNull();
              const maxAge = shared.phase === 'in-play' ? 90_000 : 3_600_000;
              expect(s.ageMs!).toBeLessThanOrEqual(maxAge);
              if (shared.phase === 'pre-match') expect(s.quoteTime!).toBeLessThan(start);
            }
            if (u.idleMinutes !== null) state.evictNotUpdatedSince(eventTime - u.idleMinutes * 60_000);
          }
        },
      ),
    );
  });
});
