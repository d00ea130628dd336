import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { loadSchema } from '../../../src/core/serde/schemas.js';

const v1 = (name: string): unknown =>
  JSON.parse(
    readFileSync(fileURLToPath(new URL(`../../fixtures/schemas/v1/${name}.avsc`, import.meta.url)), 'utf8'),
  );

const evolved = ['RawMarketBook', 'MarketBook', 'MarketPricing', 'SelectionFeatures', 'Result'] as const;

/** Every field path of a value, so the test can say what the old record did not have. */
function paths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => paths(v, `${prefix}[]`));
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => paths(v, prefix === '' ? k : `${prefix}.${k}`));
}

describe('schemas evolve BACKWARD (issue 13)', () => {
  it.each(evolved)(
    '%s: a record written with the released schema reads with today’s, new fields at their defaults',
    (name) => {
      const oldType = avro.Type.forSchema(v1(name) as avro.Schema);
      const newType = avro.Type.forSchema(loadSchema(name));
      // Throws when today's schema cannot read the old one (a field added without a default).
      const resolver = newType.createResolver(oldType);
      for (let i = 0; i < 25; i++) {
        const written = oldType.random() as unknown as Record<string, unknown>;
        const read = newType.fromBuffer(oldType.toBuffer(written), resolver) as Record<string, unknown>;
        // What the old record said is still there...
        const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;
        for (const [field, value] of Object.entries(written)) {
          if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
            expect(plain(read[field])).toMatchObject(plain(value) as object);
          } else if (!Array.isArray(value)) expect(read[field]).toEqual(value);
        }
        // ...and the new fields of the top level hold their defaults.
        const added = Object.keys(read).filter((f) => !(f in written));
        for (const field of added) {
          const spec = (loadSchema(name) as { fields: { name: string; default?: unknown }[] }).fields.find(
            (f) => f.name === field,
          );
          expect(read[field], `${name}.${field}`).toEqual(spec?.default);
        }
      }
    },
  );

  it('a MarketBook of before reads with null provider ids, no depth and unsettled', () => {
    const oldType = avro.Type.forSchema(v1('MarketBook') as avro.Schema);
    const newType = avro.Type.forSchema(loadSchema('MarketBook'));
    const old = {
      eventId: 'horse-racing/2022-11-01/sunshine-coast/0149',
      marketId: 'PLACE@3',
      marketType: 'PLACE',
      line: null,
      sport: 'horse-racing',
      competition: null,
      eventName: null,
      startTime: 1667267340000,
      provider: 'betfair',
      bookmaker: 'betfair',
      side: 'back',
      status: 'SUSPENDED',
      inPlay: false,
      numberOfPlaces: 3,
      selections: [
        {
          selectionId: 'gap-year',
          name: '4. Gap Year',
          decimalOdds: 3.05,
          point: null,
          size: 12.5,
          status: 'ACTIVE',
        },
      ],
      sourceEventId: '31873357',
      sourceMarketId: '1.205822330',
      eventTime: 1667194696535,
      receivedAt: 1667194696600,
      processedAt: 1667194696700,
      contentHash: 'abc',
    };
    const read = newType.fromBuffer(oldType.toBuffer(old), newType.createResolver(oldType)) as Record<
      string,
      unknown
    >;
    expect(read).toMatchObject({ ...old, settled: false, marketBaseRate: null, totalMatched: null });
    expect((read.selections as Record<string, unknown>[])[0]).toEqual({
      ...old.selections[0],
      sourceSelectionId: null,
      handicap: null,
      lastTradedPrice: null,
      tradedVolume: null,
      depth: [],
      bspNear: null,
      bspFar: null,
    });
    expect(paths(read).length).toBeGreaterThan(paths(old).length);
  });
});
