import { describe, expect, it } from 'vitest';
import type {
  MarketFeatures,
  MarketOpening,
  MarketPricing,
  SelectionFeatures,
} from '../../../../src/core/generated/avro-types.js';
import { selectionFeatures } from '../../../../src/core/serde/market-features.js';
import { createFeaturesStage, featuresConfigSchema } from '../../../../processors/features/index.js';
import { pricing, type PricingInput } from './pricing.js';

const t0 = 1_773_500_000_000;
const s = 1_000;
const start = t0 + 600 * s;
const rowsOf = (market: MarketFeatures | undefined) =>
  market === undefined ? [] : selectionFeatures(market);
/** The stage with its output as rows, one per selection: what most of these tests check. */
function stage(overrides: Record<string, number> = {}) {
  const inner = createFeaturesStage(featuresConfigSchema.parse(overrides));
  return {
    process: (record: MarketPricing) => rowsOf(inner.process(record)),
    evictNotUpdatedSince: (eventTime: number) => inner.evictNotUpdatedSince(eventTime),
    takeOpenings: () => inner.takeOpenings(),
    restoreOpenings: (opening: MarketOpening) => inner.restoreOpenings(opening),
    get size() {
      return inner.size;
    },
    stats: inner.stats,
  };
}
const home = (features: SelectionFeatures[]) => features.find((f) => f.selectionId === 'home');

describe('features stage on a hand-computed sequence', () => {
  const run = () => {
    const features = stage();
    const step = (input: PricingInput) => features.process(pricing({ startTime: start, ...input }));
    return {
      r1: step({
        eventTime: t0,
        bookmaker: 'book-a',
        overround: 0.05,
        bookCount: 1,
        best: [
          ['home', 2.0, 0.48],
          ['away', 1.9, 0.52],
        ],
      }),
      r2: step({
        eventTime: t0 + 30 * s,
        bookmaker: 'book-b',
        overround: 0.07,
        bookCount: 2,
        best: [
          ['home', 2.2, 0.46],
          ['away', 1.95, 0.54],
        ],
      }),
      r3: step({
        eventTime: t0 + 90 * s,
        bookmaker: 'book-a',
        overround: 0.04,
        bookCount: 2,
        best: [
          ['home', 2.1, 0.47],
          ['away', 1.95, 0.53],
        ],
      }),
      r4: step({
        eventTime: t0 + 400 * s,
        bookmaker: 'book-b',
        overround: 0.07,
        bookCount: 2,
        best: [
          ['home', 2.4, 0.42],
          ['away', 1.8, 0.58],
        ],
      }),
      r5: step({
        eventTime: t0 + 700 * s,
        bookmaker: 'book-b',
        overround: 0.07,
        bookCount: 2,
        inPlay: true,
        best: [
          ['home', 2.4, 0.42],
          ['away', 1.8, 0.58],
        ],
      }),
    };
  };
  const { r1, r2, r3, r4, r5 } = run();

  it('gives every selection of the market, keyed and timed by the input', () => {
    expect(r1.map((f) => [f.eventId, f.marketId, f.selectionId, f.name])).toEqual([
      ['soccer/2026-03-14/arsenal~chelsea', 'H2H', 'home', 'HOME'],
      ['soccer/2026-03-14/arsenal~chelsea', 'H2H', 'away', 'AWAY'],
    ]);
    expect(home(r1)).toEqual({
      eventId: 'soccer/2026-03-14/arsenal~chelsea',
      marketId: 'H2H',
      selectionId: 'home',
      name: 'HOME',
      eventTime: t0,
      startTime: start,
      secondsToStart: 600,
      inPlay: false,
      openingOdds: 2.0,
      currentOdds: 2.0,
      changeSinceOpen: 0,
      consensusProbability: 0.48,
      probabilityVelocity1m: 0,
      probabilityVelocity5m: 0,
      volatility5m: 0,
      numberOfBooks: 1,
      marketOverround: 0.05,
      // who quotes currentOdds, and the phase of the quotes behind it
      phase: 'pre-match',
      bestBookmaker: 'book-a',
      bestProvider: null,
      sourceEventId: null,
      sourceMarketId: null,
      sourceSelectionId: null,
      handicap: null,
      quoteTime: null,
    });
  });

  it('second book: change since open, velocities over the full window, mean overround', () => {
    const f = home(r2);
    expect(f?.openingOdds).toBe(2.0);
    expect(f?.changeSinceOpen).toBeCloseTo(0.1, 12);
    // Before the first observation the value is taken as unchanged: Δp = -0.02 over 1 and 5 minutes.
    expect(f?.probabilityVelocity1m).toBeCloseTo(-0.02, 12);
    expect(f?.probabilityVelocity5m).toBeCloseTo(-0.004, 12);
    expect(f?.volatility5m).toBe(0);
    expect(f?.marketOverround).toBeCloseTo(0.06, 12);
    expect(f?.numberOfBooks).toBe(2);
    expect(f?.secondsToStart).toBe(570);
  });

  it('third record: the 1-minute window starts at the point in force 60 s ago', () => {
    const f = home(r3);
    expect(f?.probabilityVelocity1m).toBeCloseTo(0.47 - 0.46, 12);
    expect(f?.probabilityVelocity5m).toBeCloseTo((0.47 - 0.48) / 5, 12);
    // Log changes ln(2.2/2.0) and ln(2.1/2.2); the sample std-dev of two values is |a - b| / √2.
    expect(f?.volatility5m).toBeCloseTo(0.1002891, 6);
    expect(f?.volatility5m).toBeCloseTo(Math.abs(Math.log(1.1) - Math.log(2.1 / 2.2)) / Math.SQRT2, 12);
    // Book A's overround was replaced by its newer one: (0.04 + 0.07) / 2.
    expect(f?.marketOverround).toBeCloseTo(0.055, 12);
  });

  it('five minutes later the older points have left both windows', () => {
    const f = home(r4);
    expect(f?.changeSinceOpen).toBeCloseTo(0.2, 12);
    expect(f?.probabilityVelocity1m).toBeCloseTo(-0.05, 12);
    expect(f?.probabilityVelocity5m).toBeCloseTo(-0.01, 12);
    expect(f?.volatility5m).toBe(0);
  });

  it('after the start: negative seconds to start and the in-play flag', () => {
    const f = home(r5);
    expect(f?.secondsToStart).toBe(-100);
    expect(f?.inPlay).toBe(true);
    expect(f?.probabilityVelocity1m).toBe(0);
    expect(f?.probabilityVelocity5m).toBeCloseTo((0.42 - 0.42) / 5, 12);
  });

  it('gives the same features on a replay (no wall clock involved)', () => {
    expect(run()).toEqual({ r1, r2, r3, r4, r5 });
  });
});

describe('out-of-order input', () => {
  const base: PricingInput[] = [
    { eventTime: t0, bookmaker: 'book-a', best: [['home', 2.0, 0.5]] },
    { eventTime: t0 + 30 * s, bookmaker: 'book-b', best: [['home', 2.2, 0.45]] },
    { eventTime: t0 + 90 * s, bookmaker: 'book-a', best: [['home', 2.1, 0.47]] },
  ];
  const next: PricingInput = { eventTime: t0 + 120 * s, bookmaker: 'book-b', best: [['home', 2.3, 0.44]] };

  it('drops a record older than the last one of the same book, leaving the windows as they were', () => {
    const clean = stage();
    base.forEach((r) => clean.process(pricing(r)));
    const expected = clean.process(pricing(next));

    const disturbed = stage();
    base.forEach((r) => disturbed.process(pricing(r)));
    expect(
      disturbed.process(pricing({ eventTime: t0 + 60 * s, bookmaker: 'book-a', best: [['home', 9.0, 0.1]] })),
    ).toEqual([]);
    expect(disturbed.stats.stale).toBe(1);
    expect(disturbed.process(pricing(next))).toEqual(expected);
  });

  it("stamps another book's late record at the market's watermark, never in the past", () => {
    const features = stage();
    base.forEach((r) => features.process(pricing(r)));
    const late = features.process(
      pricing({ eventTime: t0 + 50 * s, bookmaker: 'book-c', best: [['home', 2.1, 0.46]] }),
    );
    expect(home(late)?.eventTime).toBe(t0 + 90 * s);
    // Same 1-second bucket as the t0+90 s point: it replaces it, so the 1-minute reference is still
    // the t0+30 s point (p 0.45) and not anything at t0+50 s.
    expect(home(late)?.probabilityVelocity1m).toBeCloseTo(0.46 - 0.45, 12);
    const after = home(features.process(pricing(next)));
    expect(after?.eventTime).toBe(t0 + 120 * s);
    expect(after?.probabilityVelocity1m).toBeCloseTo(0.44 - 0.45, 12);
  });

  it('keeps only the latest point of a resolution bucket', () => {
    const features = stage();
    features.process(pricing({ eventTime: t0, best: [['home', 2.0, 0.5]] }));
    features.process(pricing({ eventTime: t0 + 100, best: [['home', 3.0, 0.5]] }));
    const f = home(features.process(pricing({ eventTime: t0 + s, best: [['home', 2.0, 0.5]] })));
    // Points 3.0 (the bucket's latest) then 2.0: one log change, so no std-dev yet.
    expect(f?.volatility5m).toBe(0);
    expect(f?.openingOdds).toBe(2.0);
  });
});

describe('state bounds and eviction', () => {
  const event = (eventId: string, marketId: string, eventTime: number, odds = 2.0) =>
    pricing({ eventId, marketId, eventTime, best: [['home', odds, 0.5]] });

  it('holds at most maxMarkets markets, dropping the least recently updated', () => {
    const features = stage({ maxMarkets: 3 });
    ['m1', 'm2', 'm3'].forEach((m, i) => features.process(event('e1', m, t0 + i)));
    features.process(event('e1', 'm1', t0 + 10));
    features.process(event('e1', 'm4', t0 + 11));
    expect(features.size).toBe(3);
    expect(features.stats.evictedLeastRecent).toBe(1);
    // m1 was refreshed, so m2 went: it starts over with a new opening price.
    expect(home(features.process(event('e1', 'm2', t0 + 12, 3.0)))?.openingOdds).toBe(3.0);
    expect(home(features.process(event('e1', 'm1', t0 + 13, 3.0)))?.openingOdds).toBe(2.0);
  });

  // When to sweep is the enrich stage's clock (test/unit/processors/pipeline/enrich-stage.test.ts).
  it('drops markets with no record since a given event time', () => {
    const features = stage();
    features.process(event('e1', 'quiet', t0));
    features.process(event('e2', 'busy', t0 + 300 * s));
    expect(features.evictNotUpdatedSince(t0)).toBe(0);
    expect(features.size).toBe(2);
    expect(features.evictNotUpdatedSince(t0 + 1)).toBe(1);
    expect(features.size).toBe(1);
    expect(features.stats.evictedIdle).toBe(1);
  });

  it('drops the replayed records of a market it dropped as idle: a replay of old history adds nothing', () => {
    const features = stage();
    const history = [0, 10, 20].map((k) => event('old', 'H2H', t0 + k * s));
    expect(history.flatMap((r) => features.process(r))).not.toEqual([]);
    // Other markets move the clock on; the old market goes idle and is swept.
    features.process(event('new', 'H2H', t0 + 200 * s));
    features.evictNotUpdatedSince(t0 + 140 * s);
    expect(features.stats.evictedIdle).toBe(1);
    expect(history.flatMap((r) => features.process(r))).toEqual([]);
    expect(features.stats.late).toBe(3);
    // A newer record of it is new history: the market starts again.
    expect(features.process(event('old', 'H2H', t0 + 30 * s))).not.toEqual([]);
  });

  it('gives the openings of markets where a selection opened, and restores them into a fresh stage', () => {
    const first = stage();
    first.process(pricing({ eventTime: t0, best: [['home', 2.5, 0.4]] }));
    const taken = first.takeOpenings();
    expect(taken).toEqual([
      expect.objectContaining({
        selections: [{ selectionId: 'home', openingOdds: 2.5, openedAt: t0 }],
        updatedAt: t0,
      }),
    ]);
    first.process(pricing({ eventTime: t0 + s, best: [['home', 2.2, 0.45]] }));
    expect(first.takeOpenings()).toEqual([]);
    const restarted = stage();
    for (const opening of taken) restarted.restoreOpenings(opening);
    const after = home(restarted.process(pricing({ eventTime: t0 + 2 * s, best: [['home', 2.0, 0.5]] })));
    expect(after).toMatchObject({ openingOdds: 2.5, currentOdds: 2.0, changeSinceOpen: 2.0 / 2.5 - 1 });
    // Without the restore the first record after a restart would open the market again.
    expect(
      home(stage().process(pricing({ eventTime: t0 + 2 * s, best: [['home', 2.0, 0.5]] })))?.openingOdds,
    ).toBe(2.0);
  });

  it('ignores lay books and records it cannot use', () => {
    const features = stage();
    expect(features.process(pricing({ eventTime: t0, side: 'lay', best: [['home', 2.0, 0.5]] }))).toEqual([]);
    expect(features.process(pricing({ eventTime: t0, overround: NaN, best: [['home', 2.0, 0.5]] }))).toEqual(
      [],
    );
    const partly = features.process(
      pricing({
        eventTime: t0 + s,
        best: [
          ['home', 2.0, 0.5],
          ['nan', NaN, 0.5],
          ['one', 1.0, 0.5],
          ['p', 2.0, 1.5],
        ],
      }),
    );
    expect(partly.map((f) => f.selectionId)).toEqual(['home']);
    expect(features.stats).toMatchObject({ ignoredSide: 1, invalid: 1 });
  });

  it('publishes one record per market change: the market’s fields once, every selection in it', () => {
    const features = createFeaturesStage(featuresConfigSchema.parse({}));
    const market = features.process(
      pricing({
        eventTime: t0,
        startTime: start,
        overround: 0.05,
        bookCount: 2,
        best: [
          ['home', 2.0, 0.48],
          ['away', 1.9, 0.52],
        ],
      }),
    );
    expect(market).toMatchObject({
      eventId: 'soccer/2026-03-14/arsenal~chelsea',
      marketId: 'H2H',
      eventTime: t0,
      startTime: start,
      secondsToStart: 600,
      numberOfBooks: 2,
      marketOverround: 0.05,
    });
    expect(market?.selections.map((f) => [f.selectionId, f.currentOdds])).toEqual([
      ['home', 2.0],
      ['away', 1.9],
    ]);
    // A change where no selection has usable odds is applied but publishes nothing.
    expect(features.process(pricing({ eventTime: t0 + s, best: [['home', NaN, 0.5]] }))).toBeUndefined();
    expect(features.stats).toMatchObject({ invalid: 0, stale: 0 });
  });
});

describe('features name the quote behind currentOdds', () => {
  it('with its bookmaker, provider ids, time and phase, so a model row maps back to a bet', () => {
    const record = pricing({ eventTime: t0, startTime: start, best: [['home', 2.0, 0.48]] });
    const best = record.crossBook.selections[0]!;
    const features = stage().process({
      ...record,
      crossBook: {
        ...record.crossBook,
        phase: 'in-play',
        selections: [
          {
            ...best,
            bestBookmaker: 'betfair',
            provider: 'betfair',
            sourceEventId: '31873357',
            sourceMarketId: '1.205822330',
            sourceSelectionId: '2329545',
            handicap: 0,
            quoteTime: t0 - 500,
          },
        ],
      },
    });
    expect(home(features)).toMatchObject({
      phase: 'in-play',
      bestBookmaker: 'betfair',
      bestProvider: 'betfair',
      sourceEventId: '31873357',
      sourceMarketId: '1.205822330',
      sourceSelectionId: '2329545',
      handicap: 0,
      quoteTime: t0 - 500,
    });
  });
});
