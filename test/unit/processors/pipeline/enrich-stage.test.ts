import { describe, expect, it } from 'vitest';
import type { MarketBook } from '../../../../src/core/generated/avro-types.js';
import type { OutputRecord } from '../../../../src/core/kafka/records.js';
import { featuresConfigSchema } from '../../../../processors/features/index.js';
import { createEnrichStage } from '../../../../processors/pipeline/enrich-stage.js';
import { marketBook, runner } from '../enrich/books.js';

const s = 1_000;
const t0 = Date.parse('2027-01-14T18:00:00Z');

/** The stage with markets idle after 600 s of event time, swept at most every 300 s. */
function stage() {
  const enrich = createEnrichStage({
    method: 'multiplicative',
    now: () => t0,
    features: featuresConfigSchema.parse({ idleMs: 600 * s, sweepEveryMs: 300 * s }),
  });
  return ({
    odds = 2.0,
    ...book
  }: Partial<MarketBook> & { marketId: string; eventTime: number; odds?: number }) => {
    const outputs: OutputRecord[] = enrich.process({
      topic: 'oddsNormalized',
      value: marketBook({
        receivedAt: book.eventTime,
        ...book,
        selections: [runner('home', odds), runner('away', odds)],
      }),
      key: null,
      raw: Buffer.alloc(0),
      source: null,
    });
    const [pricing] = outputs.flatMap((o) => (o.topic === 'oddsPricing' ? [o.value] : []));
    const features = outputs.flatMap((o) => (o.topic === 'featuresMarket' ? [o] : []));
    // One features record per market change, keyed like the market's other topics.
    expect(features.length).toBeLessThanOrEqual(1);
    const [feature] = features;
    if (feature) expect(feature.key).toBe(`${feature.value.eventId}:${feature.value.marketId}`);
    const home = feature?.value.selections.find((f) => f.selectionId === 'home');
    return { bookCount: pricing?.crossBook.bookCount, openingOdds: home?.openingOdds };
  };
}

describe('the enrich stage sweeps its cross-book and features state from one clock', () => {
  it('drops a market idle for idleMs from both states at the first sweep after', () => {
    const put = stage();
    put({ marketId: 'quiet', bookmaker: 'a', eventTime: t0, odds: 2.0 });
    put({ marketId: 'busy', bookmaker: 'a', eventTime: t0 + 350 * s }); // sweeps: nothing idle yet
    put({ marketId: 'busy', bookmaker: 'a', eventTime: t0 + 640 * s }); // quiet is idle, but no sweep is due
    const kept = put({ marketId: 'quiet', bookmaker: 'b', eventTime: t0 + 641 * s, odds: 3.0 });
    // Both states still hold quiet: book a is combined, and its opening odds are the first ones.
    expect(kept).toEqual({ bookCount: 2, openingOdds: 2.0 });

    put({ marketId: 'busy', bookmaker: 'a', eventTime: t0 + 1_300 * s }); // sweeps: quiet is idle
    const afresh = put({ marketId: 'quiet', bookmaker: 'c', eventTime: t0 + 1_301 * s, odds: 4.0 });
    expect(afresh).toEqual({ bookCount: 1, openingOdds: 4.0 });
  });

  it('moves the clock on every book it reads, lay books too', () => {
    const put = stage();
    put({ marketId: 'quiet', bookmaker: 'a', eventTime: t0, odds: 2.0 });
    put({ marketId: 'busy', bookmaker: 'a', side: 'lay', eventTime: t0 + 700 * s });
    expect(put({ marketId: 'quiet', bookmaker: 'b', eventTime: t0 + 701 * s, odds: 3.0 })).toEqual({
      bookCount: 1,
      openingOdds: 3.0,
    });
  });
});
