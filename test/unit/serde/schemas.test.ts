import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { generateTypes, generatedTypesFile, schemaFiles } from '../../../src/core/serde/generate-types.js';
import { topicIds, topicNames, topicTable } from '../../../src/core/kafka/topics.js';
import { loadSchema, valueSubject } from '../../../src/core/serde/schemas.js';
import { wireSchemaId } from '../../../src/core/serde/avro-serde.js';

describe('schemas and the topic contract', () => {
  it('has a parseable Avro schema for every topic of ARCHITECTURE §2', () => {
    expect(topicIds.map((id) => topicTable[id].name).sort()).toEqual([
      'features.market',
      'features.opening',
      'odds.dlq',
      'odds.normalized',
      'odds.pricing',
      'odds.raw',
      'results.normalized',
      'results.raw',
    ]);
    for (const id of topicIds) {
      const type = avro.Type.forSchema(loadSchema(topicTable[id].valueSchema));
      expect(type.name).toBe(`oddsflow.v1.${topicTable[id].valueSchema}`);
    }
  });

  it('prefixes topic names and derives the subject with TopicNameStrategy', () => {
    const names = topicNames('test-1.');
    expect(names.oddsRaw).toBe('test-1.odds.raw');
    expect(valueSubject(names.oddsPricing)).toBe('test-1.odds.pricing-value');
  });

  it('keeps src/core/generated/avro-types.ts in step with schemas/*.avsc (run npm run gen:types)', () => {
    expect(readFileSync(generatedTypesFile, 'utf8')).toBe(generateTypes(schemaFiles()));
  });

  it('gives every optional field a default, so records can be evolved BACKWARD-compatibly', () => {
    for (const file of schemaFiles()) {
      const walk = (type: unknown): void => {
        if (Array.isArray(type)) return type.forEach(walk);
        if (typeof type !== 'object' || type === null) return;
        const t = type as {
          type?: unknown;
          fields?: { name: string; type: unknown; default?: unknown }[];
          items?: unknown;
        };
        for (const field of t.fields ?? []) {
          if (Array.isArray(field.type) && field.type[0] === 'null') {
            expect(field, `${file} ${field.name}`).toHaveProperty('default', null);
          }
          walk(field.type);
        }
        walk(t.items);
      };
      walk(JSON.parse(readFileSync(file, 'utf8')));
    }
  });
});

describe('wireSchemaId', () => {
  it('reads the schema id after magic byte 0', () => {
    const message = Buffer.from([0, 0, 0, 1, 44, 2, 3]);
    expect(wireSchemaId(message)).toBe(300);
  });

  it('refuses what is not in the Confluent wire format', () => {
    expect(wireSchemaId(Buffer.from([1, 0, 0, 0, 1, 2]))).toBeUndefined();
    expect(wireSchemaId(Buffer.from([0, 0, 0]))).toBeUndefined();
    expect(wireSchemaId(Buffer.from('{"json":true}'))).toBeUndefined();
  });
});
