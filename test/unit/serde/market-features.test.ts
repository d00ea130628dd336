import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import type { MarketFeatures, SelectionFeatures } from '../../../src/core/generated/avro-types.js';
import { marketFeaturesOfSelection, selectionFeatures } from '../../../src/core/serde/market-features.js';
import { loadSchema } from '../../../src/core/serde/schemas.js';

interface Field {
  name: string;
  type: unknown;
}
const fieldsOf = (schema: unknown): Field[] => (schema as { fields: Field[] }).fields;
const marketSchema = loadSchema('MarketFeatures');
const selectionSchema = (
  fieldsOf(marketSchema).find((f) => f.name === 'selections')!.type as { items: unknown }
).items;

describe('features.market: one MarketFeatures per market, one SelectionFeatures row per selection', () => {
  it('splits the flat row’s fields between the market and its selections, each once, with the same types', () => {
    const flat = fieldsOf(loadSchema('SelectionFeatures'));
    const split = [
      ...fieldsOf(marketSchema).filter((f) => f.name !== 'selections'),
      ...fieldsOf(selectionSchema),
    ];
    const byName = (fields: Field[]) =>
      Object.fromEntries(fields.map((f) => [f.name, JSON.stringify(f.type)]));
    expect(split).toHaveLength(flat.length);
    expect(byName(split)).toEqual(byName(flat));
  });

  it('turns a market record into its rows and an old row back into a market record, losing nothing', () => {
    const marketType = avro.Type.forSchema(marketSchema);
    const rowType = avro.Type.forSchema(loadSchema('SelectionFeatures'));
    for (let i = 0; i < 50; i++) {
      const market = marketType.random() as unknown as MarketFeatures;
      const rows = selectionFeatures(market);
      expect(rows).toHaveLength(market.selections.length);
      for (const [j, row] of rows.entries()) {
        expect(rowType.isValid(row), JSON.stringify(row)).toBe(true);
        expect(row.selectionId).toBe(market.selections[j]!.selectionId);
        expect(row.eventTime).toBe(market.eventTime);
      }
      const old = rowType.random() as unknown as SelectionFeatures;
      const upgraded = marketFeaturesOfSelection(old);
      expect(marketType.isValid(upgraded)).toBe(true);
      expect(selectionFeatures(upgraded)).toEqual([old]);
    }
  });

  it('reads as MarketFeatures what the old schema wrote (the alias the registry’s BACKWARD check needs)', () => {
    const reader = avro.Type.forSchema(marketSchema);
    const writer = avro.Type.forSchema(loadSchema('SelectionFeatures'));
    // Plain resolution keeps the market's fields and no selection: why the serde upgrades such records itself.
    const old = writer.random() as unknown as SelectionFeatures;
    const read = reader.fromBuffer(writer.toBuffer(old), reader.createResolver(writer)) as MarketFeatures;
    expect(read).toMatchObject({ eventId: old.eventId, marketId: old.marketId, selections: [] });
  });
});
