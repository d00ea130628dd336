import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFeaturesStage, featuresConfigSchema } from '../../../../processors/features/index.js';
import type { MarketFeatures } from '../../../../src/core/generated/avro-types.js';
import { selectionFeatures } from '../../../../src/core/serde/market-features.js';
import { pricing } from './pricing.js';

const rowsOf = (market: MarketFeatures | undefined) =>
  market === undefined ? [] : selectionFeatures(market);

const numericFields = [
  'openingOdds',
  'currentOdds',
  'changeSinceOpen',
  'consensusProbability',
  'probabilityVelocity1m',
  'probabilityVelocity5m',
  'volatility5m',
  'marketOverround',
  'eventTime',
] as const;

/** Any double, NaN and ±Infinity included, with realistic values over-represented. */
const anyDouble = fc.oneof(fc.double(), fc.double({ min: 1.01, max: 1_000, noNaN: true }));
const anyProbability = fc.oneof(fc.double(), fc.double({ min: 0, max: 1, noNaN: true }));

const record = fc.record({
  eventTime: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_000 + 3_600_000 }),
  eventId: fc.constantFrom('e1', 'e2'),
  marketId: fc.constantFrom('H2H', 'TOTAL'),
  bookmaker: fc.constantFrom('a', 'b', 'c'),
  overround: anyDouble,
  inPlay: fc.boolean(),
  startTime: fc.option(fc.integer({ min: -8.64e15, max: 8.64e15 }), { nil: null }),
  bookCount: fc.integer({ min: 1, max: 20 }),
  best: fc.array(fc.tuple(fc.constantFrom('x', 'y', 'z'), anyDouble, anyProbability), { maxLength: 3 }),
});

describe('features stage properties', () => {
  it('never emits NaN or Infinity, whatever the input', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 200 }), (records) => {
        const stage = createFeaturesStage(featuresConfigSchema.parse({ maxMarkets: 3, idleMs: 600_000 }));
        for (const input of records) {
          for (const f of rowsOf(stage.process(pricing(input)))) {
            for (const field of numericFields) expect(Number.isFinite(f[field]), field).toBe(true);
            expect(f.secondsToStart === null || Number.isFinite(f.secondsToStart)).toBe(true);
            expect(f.currentOdds).toBeGreaterThan(1);
            expect(f.volatility5m).toBeGreaterThanOrEqual(0);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps event time monotone per selection under shuffled input', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 200 }), (records) => {
        // Room for all four markets: the guarantee holds while a market's state is held (an evicted
        // market is forgotten, and starts over).
        const stage = createFeaturesStage(featuresConfigSchema.parse({ maxMarkets: 4 }));
        const last = new Map<string, number>();
        for (const input of records) {
          for (const f of rowsOf(stage.process(pricing(input)))) {
            const key = `${f.eventId}:${f.marketId}:${f.selectionId}`;
            expect(f.eventTime).toBeGreaterThanOrEqual(last.get(key) ?? -Infinity);
            expect(f.eventTime).toBeGreaterThanOrEqual(input.eventTime);
            last.set(key, f.eventTime);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never holds more than maxMarkets markets', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 200 }),
        fc.integer({ min: 1, max: 3 }),
        (records, maxMarkets) => {
          const stage = createFeaturesStage(featuresConfigSchema.parse({ maxMarkets }));
          for (const input of records) {
            stage.process(pricing(input));
            expect(stage.size).toBeLessThanOrEqual(maxMarkets);
          }
        },
      ),
    );
  });

  it('bounds velocities by the change a probability can make over the window', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 100 }), (records) => {
        const stage = createFeaturesStage(featuresConfigSchema.parse({}));
        for (const input of records) {
          for (const f of rowsOf(stage.process(pricing(input)))) {
            expect(Math.abs(f.probabilityVelocity1m)).toBeLessThanOrEqual(1);
            expect(Math.abs(f.probabilityVelocity5m)).toBeLessThanOrEqual(1 / 5);
          }
        }
      }),
    );
  });
});
