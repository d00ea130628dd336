import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { schema } from 'avsc';
import { schemasDir } from '../config/paths.js';
import type * as avro from '../generated/avro-types.js';
import type { TopicId, ValueSchemaName } from '../kafka/topics.js';
import { topicTable } from '../kafka/topics.js';

/** The TypeScript type of each topic's value, from the generated Avro types. */
export interface TopicValues {
  oddsRaw: avro.RawMarketBook;
  resultsRaw: avro.RawResult;
  oddsNormalized: avro.MarketBook;
  oddsPricing: avro.MarketPricing;
  featuresMarket: avro.MarketFeatures;
  featuresOpening: avro.MarketOpening;
  resultsNormalized: avro.Result;
  deadLetters: avro.DeadLetter;
}

/** A record schema as schemas/*.avsc hold them. */
export type RecordSchema = schema.RecordType;

/**
 * Every schema in schemas/: the topics' values, and SelectionFeatures, which features.market
 * carried before MarketFeatures (still needed to read such records; see avro-serde.ts).
 */
export type SchemaName = ValueSchemaName | 'SelectionFeatures';

const cache = new Map<SchemaName, RecordSchema>();

/** The schema of a record type, read once from schemas/<Name>.avsc. */
export function loadSchema(name: SchemaName): RecordSchema {
  let schema = cache.get(name);
  if (!schema) {
    schema = JSON.parse(readFileSync(path.join(schemasDir, `${name}.avsc`), 'utf8')) as RecordSchema;
    cache.set(name, schema);
  }
  return schema;
}

export function topicSchema(topic: TopicId): RecordSchema {
  return loadSchema(topicTable[topic].valueSchema);
}

/** Confluent's TopicNameStrategy: the value schema of topic T is registered under "T-value". */
export function valueSubject(topicName: string): string {
  return `${topicName}-value`;
}
