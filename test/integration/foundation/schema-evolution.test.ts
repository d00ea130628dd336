import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicNames, type TopicId, type TopicNames } from '../../../src/core/kafka/topics.js';
import { AvroSerde } from '../../../src/core/serde/avro-serde.js';
import type { MarketFeatures } from '../../../src/core/generated/avro-types.js';
import { selectionFeatures } from '../../../src/core/serde/market-features.js';
import { loadSchema, topicSchema, valueSubject, type RecordSchema } from '../../../src/core/serde/schemas.js';
import { randomId, testConfig } from '../../helpers/stack.js';
import type { Config } from '../../../src/app/config/load.js';

const v1 = (name: string): RecordSchema =>
  JSON.parse(
    readFileSync(fileURLToPath(new URL(`../../fixtures/schemas/v1/${name}.avsc`, import.meta.url)), 'utf8'),
  ) as RecordSchema;

const onlyRow = (market: MarketFeatures): Record<string, unknown> => {
  const rows = selectionFeatures(market);
  expect(rows).toHaveLength(1);
  return rows[0] as unknown as Record<string, unknown>;
};

const evolved: [TopicId, string][] = [
  ['oddsRaw', 'RawMarketBook'],
  ['oddsNormalized', 'MarketBook'],
  ['oddsPricing', 'MarketPricing'],
  ['featuresMarket', 'SelectionFeatures'],
  ['resultsNormalized', 'Result'],
];

describe('issue 13 schemas in the registry', () => {
  let config: Config;
  let names: TopicNames;

  beforeAll(() => {
    config = testConfig();
    names = topicNames(`${randomId('t')}.`);
  });

  afterAll(async () => {
    for (const [topic] of evolved) {
      await fetch(`${config.registry.url}/subjects/${encodeURIComponent(valueSubject(names[topic]))}`, {
        method: 'DELETE',
      }).catch(() => undefined);
    }
  });

  it.each(evolved)(
    '%s: the registry accepts today’s schema over the released one (BACKWARD), and a record written with the old reads with today’s',
    async (topic, name) => {
      // What a producer of before left: the released schema registered, a record written with it.
      const older = new AvroSerde(config.registry, names);
      const oldId = await older.register(topic, v1(name));
      const oldType = avro.Type.forSchema(v1(name));
      const written = oldType.random() as unknown as Record<string, unknown>;
      const header = Buffer.alloc(5);
      header.writeInt32BE(oldId, 1);
      const message = Buffer.concat([header, oldType.toBuffer(written)]);

      // Today's producer registers its schema: the registry checks it against the released one.
      const today = new AvroSerde(config.registry, names);
      const newId = await today.schemaId(topic);
      expect(newId).not.toBe(oldId);
      const decoded = await today.decode(topic, message);
      // features.market carried one selection per record then: it reads as a market of that one
      // selection, whose row is today's SelectionFeatures.
      const [read, todays] =
        topic === 'featuresMarket'
          ? [onlyRow(decoded as MarketFeatures), loadSchema('SelectionFeatures')]
          : [decoded, topicSchema(topic)];
      for (const field of Object.keys(written)) expect(read).toHaveProperty(field);
      if (topic === 'featuresMarket') expect(read).toMatchObject(written);
      // every field of today's type, the new ones at their defaults
      const fields = (todays as unknown as { fields: { name: string }[] }).fields.map((f) => f.name);
      expect(Object.keys(read).sort()).toEqual([...fields].sort());
    },
  );
});
