import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { marginMethods } from '../../../../processors/enrich/margin-methods.js';
import { priceBook } from '../../../../processors/enrich/pricing.js';
import type { BookPricing } from '../../../../processors/enrich/pricing.js';
import { marketBook, runner } from './books.js';

const now = Date.parse('2027-01-14T18:02:13Z');
const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

// The Odds API NBA sample (fixtures/the-odds-api.odds.nba.json, see its README for the worked
// overrounds): Celtics v Heat h2h at DraftKings and FanDuel.
const draftkings = marketBook({ selections: [runner('boston-celtics', 1.3), runner('miami-heat', 3.6)] });
const fanduel = marketBook({
  bookmaker: 'fanduel',
  selections: [runner('boston-celtics', 1.29), runner('miami-heat', 3.75)],
});

function expectAllFinite(pricing: BookPricing): void {
  const numbers = [
    pricing.overround,
    pricing.bookPercentage,
    ...pricing.selections.flatMap((s) => [
      s.decimalOdds,
      s.impliedProbability,
      s.fairProbability,
      s.fairOdds,
      ...Object.values(s.fairProbabilities),
    ]),
  ];
  for (const value of numbers) expect(Number.isFinite(value)).toBe(true);
}

describe('priceBook', () => {
  it('gives the worked overrounds of the NBA sample', () => {
    const dk = priceBook(draftkings, { method: 'multiplicative', now });
    const fd = priceBook(fanduel, { method: 'multiplicative', now });
    expect(dk.overround).toBeCloseTo(0.047009, 6);
    expect(dk.bookPercentage).toBeCloseTo(104.7009, 4);
    expect(fd.overround).toBeCloseTo(0.04186, 6);
    expect(fd.bookPercentage).toBeCloseTo(104.186, 3);
  });

  it('fills every field of the record from the book and the chosen method', () => {
    const pricing = priceBook(draftkings, { method: 'shin', now });
    expect(pricing).toMatchObject({
      eventId: draftkings.eventId,
      marketId: 'H2H',
      marketType: 'H2H',
      provider: 'the-odds-api',
      bookmaker: 'draftkings',
      side: 'back',
      inPlay: false,
      startTime: draftkings.startTime,
      numberOfPlaces: null,
      method: 'shin',
      pricingStatus: 'OK',
      eventTime: draftkings.eventTime,
      processedAt: now,
    });
    expect(pricing).not.toHaveProperty('crossBook');
    for (const selection of pricing.selections) {
      expect(Object.keys(selection.fairProbabilities).sort()).toEqual([...marginMethods].sort());
      expect(selection.fairProbability).toBe(selection.fairProbabilities.shin);
      expect(selection.fairOdds).toBeCloseTo(1 / selection.fairProbability, 12);
      expect(selection.impliedProbability).toBe(1 / selection.decimalOdds);
    }
    // Two outcomes: Shin is additive, which takes half the margin off each side.
    const [celtics] = pricing.selections;
    expect(celtics?.fairProbability).toBeCloseTo(1 / 1.3 - 0.047008547 / 2, 9);
  });

  it('prices only ACTIVE selections that have odds', () => {
    const book = marketBook({
      selections: [
        runner('a', 2.1),
        runner('b', 3.4),
        runner('scratched', 4, 'REMOVED'),
        runner('unpriced', null),
        runner('c', 4.2),
      ],
    });
    const pricing = priceBook(book, { method: 'power', now });
    expect(pricing.selections.map((s) => s.selectionId)).toEqual(['a', 'b', 'c']);
    expect(pricing.overround).toBeCloseTo(1 / 2.1 + 1 / 3.4 + 1 / 4.2 - 1, 15);
    expect(sum(pricing.selections.map((s) => s.fairProbability))).toBeCloseTo(1, 12);
  });

  it('treats odds that no book can quote as unpriced rather than failing', () => {
    const book = marketBook({
      selections: [
        runner('a', 1.8),
        runner('b', 2.2),
        ...[Number.NaN, Number.POSITIVE_INFINITY, 0.5, 0, -3, 1e9].map((odds, i) => runner(`bad-${i}`, odds)),
      ],
    });
    const pricing = priceBook(book, { method: 'odds-ratio', now });
    expect(pricing.selections.map((s) => s.selectionId)).toEqual(['a', 'b']);
    expectAllFinite(pricing);
  });

  it('divides the overround of a place market by the places, not the book percentage', () => {
    // Betfair 1.205822330 (AU PLACE, 3 places), best back prices just before the off.
    const odds = [16, 12.5, 1.9, 9, 9.6, 1.77, 4.2, 3.5, 5.1, 15, 3.95, 3.5, 4.2, 12.5];
    const book = marketBook({
      marketType: 'PLACE',
      numberOfPlaces: 3,
      selections: odds.map((d, i) => runner(`runner-${i}`, d)),
    });
    for (const method of marginMethods) {
      const pricing = priceBook(book, { method, now });
      expect(pricing.overround).toBeCloseTo(0.0308646737614, 12);
      expect(pricing.bookPercentage).toBeCloseTo(309.259402128, 8);
      expect(pricing.pricingStatus).toBe('OK');
      expect(sum(pricing.selections.map((s) => s.fairProbability))).toBeCloseTo(3, 12);
      for (const s of pricing.selections) expect(s.fairProbability).toBeLessThan(s.impliedProbability);
    }
  });

  it('reports degenerate books by status, with defined values', () => {
    const lone = priceBook(marketBook({ selections: [runner('a', 1.5), runner('b', 3, 'REMOVED')] }), {
      method: 'shin',
      now,
    });
    expect(lone.pricingStatus).toBe('SINGLE_SELECTION');
    expect(lone.selections[0]?.fairOdds).toBeCloseTo(1.5, 12);

    const empty = priceBook(marketBook({ selections: [runner('a', null), runner('b', null)] }), {
      method: 'shin',
      now,
    });
    expect(empty).toMatchObject({
      pricingStatus: 'SINGLE_SELECTION',
      selections: [],
      overround: -1,
      bookPercentage: 0,
    });

    const lay = priceBook(
      marketBook({
        side: 'lay',
        selections: [runner('home', 1.36), runner('away', 15), runner('draw', 11.5)],
      }),
      { method: 'power', now },
    );
    expect(lay.pricingStatus).toBe('UNDER_ROUND');
    expect(lay.overround).toBeLessThan(0);
    expect(sum(lay.selections.map((s) => s.fairProbability))).toBeCloseTo(1, 12);
  });

  it('reads numberOfPlaces that is missing or nonsensical as a win market', () => {
    for (const numberOfPlaces of [null, 0, -2, 1.5]) {
      const pricing = priceBook({ ...draftkings, numberOfPlaces }, { method: 'multiplicative', now });
      expect(pricing.overround).toBeCloseTo(0.047009, 6);
    }
  });

  it('never emits NaN or Infinity, and its overround is Σ 1/d over P minus 1', () => {
    const anyOdds = fc.oneof(fc.double(), fc.double({ min: 1, max: 1000, noNaN: true }), fc.constant(null));
    const anySelection = fc.record({
      odds: anyOdds,
      status: fc.constantFrom('ACTIVE', 'ACTIVE', 'REMOVED', 'WINNER'),
    });
    fc.assert(
      fc.property(
        fc.array(anySelection, { maxLength: 20 }),
        fc.oneof(fc.constant(null), fc.integer({ min: -2, max: 5 })),
        fc.constantFrom(...marginMethods),
        (selections, numberOfPlaces, method) => {
          const book = marketBook({
            numberOfPlaces,
            selections: selections.map((s, i) => runner(`s${i}`, s.odds, s.status)),
          });
          const pricing = priceBook(book, { method, now });
          expectAllFinite(pricing);
          const places = numberOfPlaces !== null && numberOfPlaces >= 1 ? numberOfPlaces : 1;
          const total = sum(pricing.selections.map((s) => 1 / s.decimalOdds));
          expect(pricing.overround).toBeCloseTo(total / places - 1, 12);
          expect(pricing.bookPercentage).toBeCloseTo(100 * total, 10);
          if (pricing.pricingStatus !== 'SINGLE_SELECTION') {
            expect(sum(pricing.selections.map((s) => s.fairProbability))).toBeCloseTo(places, 9);
          }
        },
      ),
    );
  });
});
