import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Result, SelectionFeatures } from '../../../src/core/generated/avro-types.js';
import { emptyStats, pointInTimeRows, type DecisionRule } from '../../../src/app/ops/point-in-time.js';
import { featuresExtras } from '../../helpers/record-defaults.js';

const start = Date.UTC(2026, 10, 20, 3, 0);
const minute = 60_000;

const features = (eventTime: number, currentOdds: number, selectionId = 'a'): SelectionFeatures => ({
  eventId: 'horse-racing/2026-11-20/flemington/0300',
  marketId: 'WIN',
  selectionId,
  name: null,
  eventTime,
  startTime: start,
  secondsToStart: (start - eventTime) / 1000,
  inPlay: eventTime >= start,
  openingOdds: 5,
  currentOdds,
  changeSinceOpen: currentOdds / 5 - 1,
  consensusProbability: 1 / currentOdds,
  probabilityVelocity1m: 0,
  probabilityVelocity5m: 0,
  volatility5m: 0,
  numberOfBooks: 2,
  marketOverround: 0.05,
  ...featuresExtras,
});

const result = (settledAt: number, winners = ['a']): Result => ({
  eventId: 'horse-racing/2026-11-20/flemington/0300',
  marketId: 'WIN',
  sport: 'horse-racing',
  eventName: null,
  startTime: start,
  provider: 'betfair',
  scores: [],
  placings: [],
  winners,
  settledAt,
  processedAt: settledAt,
});

const rules: DecisionRule[] = [
  { kind: 'each-record' },
  { kind: 'before-start', offsetMs: 5 * minute },
  { kind: 'every', stepMs: minute },
];

describe('point-in-time training sets', () => {
  it('take at each decision the latest features at or before it, and the label from the result', () => {
    const history = [
      features(start - 20 * minute, 6),
      features(start - 7 * minute, 4.5),
      features(start - 2 * minute, 4),
    ];
    const rows = pointInTimeRows(
      history,
      result(start + 2 * minute),
      { rule: { kind: 'before-start', offsetMs: 5 * minute } },
      emptyStats(),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      decisionTime: start - 5 * minute,
      currentOdds: 4.5,
      featuresAgeMs: 2 * minute,
      won: true,
      split: 'train',
    });
  });

  it('never use features from after the decision time: any future appended changes no row (property)', () => {
    const histories = fc
      .uniqueArray(fc.integer({ min: -60, max: 10 }), { minLength: 1, maxLength: 30 })
      .map((minutes) =>
        minutes.sort((a, b) => a - b).map((m) => features(start + m * minute, 1.5 + ((m + 60) % 13))),
      );
    fc.assert(
      fc.property(
        histories,
        fc.integer({ min: -60, max: 10 }),
        fc.constantFrom(...rules),
        (history, cutAt, rule) => {
          const cut = start + cutAt * minute;
          const past = history.filter((f) => f.eventTime <= cut);
          const future = history
            .filter((f) => f.eventTime > cut)
            .map((f) => ({ ...f, currentOdds: 999, consensusProbability: 0.999 }));
          const label = result(start + 60 * minute);
          const options = { rule, to: cut };
          const withFuture = pointInTimeRows([...past, ...future], label, options, emptyStats());
          const withoutFuture = pointInTimeRows(past, label, options, emptyStats());
          for (const row of withFuture) {
            expect(row.eventTime).toBeLessThanOrEqual(row.decisionTime);
            expect(row.currentOdds).not.toBe(999);
          }
          // A grid ends at the last record, so without the future it may be shorter; the
          // decisions both have are identical, and the other rules give the very same rows.
          const byDecision = new Map(withoutFuture.map((r) => [r.decisionTime, r]));
          for (const row of withFuture)
            if (byDecision.has(row.decisionTime)) expect(row).toEqual(byDecision.get(row.decisionTime));
          if (rule.kind !== 'every') expect(withFuture).toEqual(withoutFuture);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('give no row before the first features or at and after settlement, and purge training labels settled after the split', () => {
    const history = [features(start - 10 * minute, 3), features(start + minute, 1.2)];
    const every = { kind: 'every', stepMs: minute } as const;
    const rows = pointInTimeRows(history, result(start + 2 * minute), { rule: every }, emptyStats());
    expect(rows.map((r) => (r.decisionTime - start) / minute)).toEqual([
      -10, -9, -8, -7, -6, -5, -4, -3, -2, -1, 0, 1,
    ]);
    const split = emptyStats();
    const splitRows = pointInTimeRows(
      history,
      result(start + 2 * minute),
      { rule: every, splitAt: start },
      split,
    );
    expect(splitRows.every((r) => r.split === 'test')).toBe(true);
    expect(split.purged).toBe(10);
    const before = emptyStats();
    const early = { rule: { kind: 'before-start', offsetMs: 30 * minute } } as const;
    expect(pointInTimeRows(history, undefined, early, before)).toEqual([]);
    expect(before.noFeaturesYet).toBe(1);
  });
});
