import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer, Producer } from 'kafkajs';
import { createKafka, createProducer } from '../../../src/core/kafka/client.js';
import type { TopicNames } from '../../../src/core/kafka/topics.js';
import { AvroSerde, wireSchemaId } from '../../../src/core/serde/avro-serde.js';
import { topicSchema, valueSubject, type RecordSchema } from '../../../src/core/serde/schemas.js';
import { SerdeError } from '../../../src/core/errors.js';
import { loadConfig, type Config } from '../../../src/app/config/load.js';
import type { RawMarketBook } from '../../../src/core/generated/avro-types.js';
import { stackDown, stackUp } from '../../../stack/index.js';
import { noExchangeData, noExchangeMarketData } from '../../../connectors/contract.js';
import { provisionTopics, randomId, silentLogger, testConfig, testStack } from '../../helpers/stack.js';

const book: RawMarketBook = {
  provider: 'the-odds-api',
  sourceEventId: 'e1',
  sourceMarketId: 'h2h',
  sport: 'basketball_nba',
  competition: 'NBA',
  eventName: 'Boston Celtics @ Los Angeles Lakers',
  homeTeam: 'Los Angeles Lakers',
  awayTeam: 'Boston Celtics',
  venue: null,
  raceNumber: null,
  startTime: Date.UTC(2024, 0, 15, 3, 30),
  marketType: 'h2h',
  marketName: null,
  bookmaker: 'draftkings',
  side: 'back',
  status: 'OPEN',
  inPlay: false,
  numberOfPlaces: null,
  priceFormat: 'american',
  selections: [
    {
      sourceSelectionId: 'Los Angeles Lakers',
      name: 'Los Angeles Lakers',
      price: '+150',
      point: null,
      size: null,
      status: 'ACTIVE',
      ...noExchangeData(),
    },
    {
      sourceSelectionId: 'Boston Celtics',
      name: 'Boston Celtics',
      price: '-175',
      point: null,
      size: null,
      status: 'ACTIVE',
      ...noExchangeData(),
    },
  ],
  eventTime: Date.UTC(2024, 0, 14, 20, 0),
  receivedAt: Date.UTC(2024, 0, 14, 20, 0, 1),
  payload: '{"id":"e1"}',
  ...noExchangeMarketData,
};

describe('Avro on the wire through the schema registry', () => {
  let config: Config;
  let names: TopicNames;
  let serde: AvroSerde;
  let producer: Producer;
  let consumer: Consumer;
  const received: Buffer[] = [];

  beforeAll(async () => {
    config = testConfig();
    names = await provisionTopics(config);
    serde = new AvroSerde(config.registry, names);
    const kafka = createKafka(config.kafka, { logger: silentLogger });
    producer = createProducer(kafka);
    await producer.connect();
    consumer = kafka.consumer({ groupId: randomId('wire') });
    await consumer.connect();
    await consumer.subscribe({ topic: names.oddsRaw, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        if (message.value) received.push(message.value);
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
  });

  async function waitForMessages(count: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(received.length).toBeGreaterThanOrEqual(count);
  }

  it('writes the Confluent header (magic byte 0 + the registry id of <topic>-value) and decodes back', async () => {
    const value = await serde.encode('oddsRaw', book);
    await producer.send({ topic: names.oddsRaw, messages: [{ key: 'the-odds-api:e1:h2h', value }] });
    await waitForMessages(1);

    const raw = received[0]!;
    expect(raw[0]).toBe(0);
    const registeredId = await serde.registry.getLatestSchemaId(valueSubject(names.oddsRaw));
    expect(raw.readInt32BE(1)).toBe(registeredId);
    expect(wireSchemaId(raw)).toBe(registeredId);

    expect(await serde.decode('oddsRaw', raw)).toEqual(book);
  });

  it("writes the registry client's own bytes, for records over its 1 KiB buffer and over the serde's 64 KiB one", async () => {
    const id = await serde.schemaId('oddsRaw');
    for (const value of [
      book,
      { ...book, sourceEventId: 'e'.repeat(2_000) },
      { ...book, sourceEventId: 'é'.repeat(100_000) }, // 200 KB: the scratch buffer grows
      book, // and serves a small one again
    ]) {
      const ours = await serde.encode('oddsRaw', value);
      expect(ours.equals(await serde.registry.encode(id, value))).toBe(true);
      expect(await serde.decode('oddsRaw', ours)).toEqual(value);
    }
  });

  it('decodes and encodes without waiting once the schema is known, and refuses bytes not in the wire format', async () => {
    const fresh = new AvroSerde(config.registry, names);
    const bytes = await serde.encode('oddsRaw', book);
    // The consumer loops' path: nothing fetched yet, so the caller must take decode's wait.
    expect(fresh.decodeIfKnown('oddsRaw', bytes)).toBeUndefined();
    expect(await fresh.decode('oddsRaw', bytes)).toEqual(book);
    expect(fresh.decodeIfKnown('oddsRaw', bytes)).toEqual(book);
    const refusal = (bytes: Buffer): unknown => {
      try {
        return fresh.decodeIfKnown('oddsRaw', bytes);
      } catch (err) {
        return err;
      }
    };
    expect(refusal(Buffer.from('{"not":"avro"}'))).toMatchObject({
      code: 'SERDE_DECODE_FAILED',
      retriable: false,
    });
    // And the processors' path for what they write: nothing until the schema is registered here.
    const record = { topic: 'oddsRaw', key: null, value: book } as const;
    expect(fresh.encodeRecordIfKnown(record)).toBeUndefined();
    expect((await fresh.encodeRecord(record)).equals(bytes)).toBe(true);
    expect(fresh.encodeRecordIfKnown(record)?.equals(bytes)).toBe(true);
    expect(refusal(bytes.subarray(0, 12))).toMatchObject({ code: 'SERDE_DECODE_FAILED', retriable: false });
  });

  it('refuses a value that does not match the schema with a typed error naming the field', async () => {
    const failure = await serde
      .encode('oddsRaw', { ...book, sourceEventId: 42 } as unknown as typeof book)
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(SerdeError);
    expect(failure).toMatchObject({ code: 'SERDE_ENCODE_FAILED', retriable: false });
    expect((failure as Error).message).toMatch(/value does not match RawMarketBook at sourceEventId/);
  });

  it('registers with BACKWARD compatibility and re-registering returns the same id', async () => {
    const subject = valueSubject(names.oddsRaw);
    const response = await fetch(`${config.registry.url}/config/${encodeURIComponent(subject)}`);
    const body = (await response.json()) as { compatibilityLevel?: string };
    expect(body.compatibilityLevel).toBe('BACKWARD');
    const first = await serde.schemaId('oddsRaw');
    const again = await new AvroSerde(config.registry, names).register('oddsRaw');
    expect(again).toBe(first);
  });

  it('rejects an incompatible change of the schema with a typed, non-retriable error', async () => {
    const id = await serde.schemaId('oddsRaw');
    const schema = topicSchema('oddsRaw') as RecordSchema & { fields: object[] };
    // A new field without a default: a reader with the new schema could not read old records.
    const incompatible = { ...schema, fields: [...schema.fields, { name: 'margin', type: 'double' }] };
    const rejection = await serde.register('oddsRaw', incompatible).catch((err: unknown) => err);
    expect(rejection).toBeInstanceOf(SerdeError);
    expect((rejection as SerdeError).code).toBe('SCHEMA_INCOMPATIBLE');
    expect((rejection as SerdeError).retriable).toBe(false);
    // the subject still serves the old schema
    expect(await serde.registry.getLatestSchemaId(valueSubject(names.oddsRaw))).toBe(id);
  });

  it('accepts a compatible change (a new field with a default)', async () => {
    await serde.schemaId('oddsRaw');
    const schema = topicSchema('oddsRaw') as RecordSchema & { fields: object[] };
    const compatible = {
      ...schema,
      fields: [...schema.fields, { name: 'note', type: ['null', 'string'], default: null }],
    };
    const id = await serde.register('oddsRaw', compatible);
    expect(await serde.registry.getLatestSchemaId(valueSubject(names.oddsRaw))).toBe(id);
  });

  // Only a registry the local stack runs can be stopped and started by a test.
  it.runIf(testStack().controls.registry)(
    'keeps schema ids across a registry restart (kafkasql storage): an old message still decodes',
    async () => {
      const value = await serde.encode('oddsRaw', { ...book, sourceEventId: 'e2' });
      await producer.send({ topic: names.oddsRaw, messages: [{ key: 'the-odds-api:e2:h2h', value }] });
      await waitForMessages(2);

      // The stack's own config (from .stack/endpoints.json), not the test's explicit endpoints,
      // so that stackUp starts the registry instead of waiting for someone else to.
      const stackConfig = loadConfig();
      expect(await stackDown(stackConfig, () => undefined, ['registry'])).toEqual(['registry']);
      await stackUp(stackConfig, () => undefined);

      // A fresh client has no cached schemas: the id must resolve from the restarted registry.
      const fresh = new AvroSerde(config.registry, names);
      const decoded = await fresh.decode('oddsRaw', received[1]!);
      expect(decoded.sourceEventId).toBe('e2');
    },
  );
});
