import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readStreamFile } from '../../../../connectors/betfair/stream-file.js';
import { createEnrichStage } from '../../../../processors/pipeline/enrich-stage.js';
import { createOfflineChain, type TransformOutput } from '../../../../processors/pipeline/offline-chain.js';
import { createPrepareStage } from '../../../../processors/pipeline/prepare-stage.js';
import { settingsSchema } from '../../../../src/app/config/settings.js';
import { pipelineOptions } from '../../../../src/app/roles/processors.js';

const recordings = ['1.185781277.gz', '1.200806927.gz', '1.205822330.gz'] as const;

const transformed = new Map<string, Promise<TransformOutput[]>>();

/** A recording through the chain of `oddsflow transform`, every output kept (once per file). */
function transform(name: string): Promise<TransformOutput[]> {
  let outputs = transformed.get(name);
  if (outputs === undefined) transformed.set(name, (outputs = run(name)));
  return outputs;
}

async function run(name: string): Promise<TransformOutput[]> {
  const now = () => Date.parse('2026-12-06T12:00:00Z');
  const options = await pipelineOptions(settingsSchema.parse({}), now);
  const chain = createOfflineChain(
    createPrepareStage(options.prepare),
    createEnrichStage(options.enrich),
    now,
  );
  const outputs: TransformOutput[] = [];
  const file = fileURLToPath(new URL(`../../../fixtures/betfair/${name}`, import.meta.url));
  for await (const chunk of readStreamFile(file)) {
    outputs.push(
      ...chunk.failures.map((f) => chain.failure(f)),
      ...chain.books(chunk.books),
      ...chain.results(chunk.results),
    );
  }
  return outputs;
}

/** Every place a record names a Betfair selection, with what it says its id and handicap are. */
function selectionRefs(
  output: TransformOutput,
): { where: string; id: string | null; handicap: number | null }[] {
  switch (output.type) {
    case 'market_book':
      return output.selections.map((s) => ({
        where: 'selections',
        id: s.sourceSelectionId,
        handicap: s.handicap,
      }));
    case 'pricing':
      return [
        ...output.selections.map((s) => ({
          where: 'selections',
          id: s.sourceSelectionId,
          handicap: s.handicap,
        })),
        ...output.crossBook.selections.map((s) => ({
          where: 'crossBook.selections',
          id: s.sourceSelectionId,
          handicap: s.handicap,
        })),
      ];
    default:
      return [];
  }
}

describe('the real Betfair recordings through the chain', () => {
  it.each(recordings)(
    '%s: every selection of every record carries the numeric Betfair selection id',
    async (name) => {
      const outputs = await transform(name);
      expect(outputs.filter((o) => o.type === 'dead_letter')).toEqual([]);
      const refs = outputs.flatMap(selectionRefs);
      expect(refs.length).toBeGreaterThan(10_000);
      const bad = refs.filter((r) => r.id === null || !/^\d+$/u.test(r.id) || r.handicap !== 0);
      expect(bad.slice(0, 3)).toEqual([]);
      // and the record carries the market and event ids a bet needs with it
      for (const o of outputs) {
        if (o.type === 'pricing')
          expect([o.sourceMarketId, o.sourceEventId]).toEqual([
            name.slice(0, -3),
            expect.stringMatching(/^\d+$/u),
          ]);
      }
    },
  );

  it('1.205822330: the named runners keep their slug ids and their Betfair ids side by side', async () => {
    const outputs = await transform('1.205822330.gz');
    const book = outputs.find((o) => o.type === 'market_book');
    expect(
      book?.type === 'market_book' && book.selections.find((s) => s.selectionId === 'gap-year'),
    ).toMatchObject({
      sourceSelectionId: '2329545',
      handicap: 0,
    });
  });

  it('carries the exchange data: depth, last traded, traded volume, total matched, BSP and the base rate', async () => {
    const win = (await transform('1.185781277.gz')).filter((o) => o.type === 'market_book');
    expect(win.every((b) => b.type === 'market_book' && b.marketBaseRate === 10)).toBe(true);
    const backs = win.flatMap((b) => (b.type === 'market_book' && b.side === 'back' ? b.selections : []));
    const deep = backs.filter((s) => s.depth.length === 3);
    expect(deep.length).toBeGreaterThan(1000);
    for (const s of deep) {
      // best first, the first level is the price the book quotes
      expect(s.depth[0]!.price).toBe(s.decimalOdds);
      expect(s.depth[0]!.price).toBeGreaterThan(s.depth[1]!.price);
      expect(s.depth[1]!.price).toBeGreaterThan(s.depth[2]!.price);
    }
    const lays = win.flatMap((b) => (b.type === 'market_book' && b.side === 'lay' ? b.selections : []));
    expect(lays.some((s) => s.depth.length >= 2 && s.depth[0]!.price < s.depth[1]!.price)).toBe(true);
    expect(win.some((b) => b.type === 'market_book' && b.totalMatched !== null && b.totalMatched > 0)).toBe(
      true,
    );

    const place = (await transform('1.205822330.gz')).filter((o) => o.type === 'market_book');
    const projected = place.flatMap((b) => (b.type === 'market_book' ? b.selections : []));
    // this recording trades: last traded price and traded volume per runner
    expect(
      projected.some((s) => s.lastTradedPrice !== null && s.tradedVolume !== null && s.tradedVolume > 0),
    ).toBe(true);
    expect(projected.some((s) => s.bspNear !== null && s.bspNear > 1)).toBe(true);
    // "NaN" in the stream is no projection, not a number
    expect(projected.every((s) => s.bspFar === null || Number.isFinite(s.bspFar))).toBe(true);
    expect(place.at(-1)).toMatchObject({ status: 'CLOSED', settled: true, marketBaseRate: 7 });
  });
});
