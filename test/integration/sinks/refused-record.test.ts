import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { escapeIdentifier } from 'pg';
import { provisionTopics, randomId, silentLogger, testConfig, testStack } from '../../helpers/stack.js';
import { book } from '../../helpers/records.js';
import { until } from '../../helpers/wait.js';
import { createKafka, createProducer } from '../../../src/core/kafka/client.js';
import { readTopicRange } from '../../../src/core/kafka/read-range.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { AvroSerde } from '../../../src/core/serde/avro-serde.js';
import { createRoleContext } from '../../../src/app/roles/context.js';
import { startSinks } from '../../../src/app/roles/sinks.js';

// Recent times, so the books are inside every retention and window the sink applies.
const t0 = Date.now() - 600_000;

describe('sinks role: a record the store refuses as data', () => {
  const schema = randomId('refused').replace('-', '_');
  const pool = new pg.Pool({ connectionString: testStack().timescaleUrl, max: 1 });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(schema)} CASCADE`).catch(() => undefined);
    await pool.end();
  });

  it('is isolated from its batch and dead-lettered with the store’s own reason; the rest is written', async () => {
    const config = testConfig({
      ODDSFLOW_SINKS: 'timescale',
      ODDSFLOW_DB_SCHEMA: schema,
      // One partition and one batch: the refused record shares its batch with the good ones.
      ODDSFLOW_TOPIC_PARTITIONS: '1',
    });
    const names = await provisionTopics(config);
    const kafka = createKafka(config.kafka, { logger: silentLogger });
    const serde = new AvroSerde(config.registry, names);
    const events = ['a', 'b', 'c', 'bad\u0000event', 'd', 'e', 'f'];
    const producer = createProducer(kafka);
    await producer.connect();
    const messages = [];
    for (const [i, eventId] of events.entries()) {
      const value = book({ eventId, startTime: t0 + 3_600_000, eventTime: t0 + i, receivedAt: t0 + i });
      messages.push({
        key: `${eventId}:${value.marketId}`,
        value: await serde.encode('oddsNormalized', value),
      });
    }
    await producer.send({ topic: names.oddsNormalized, messages });
    await producer.disconnect();

    const sinks = await startSinks(createRoleContext(config, silentLogger, createMetrics()));
    const letters = () => readTopicRange(kafka, serde, names, 'deadLetters', {});
    const stored = async () =>
      (
        await pool.query<{ event_id: string }>(
          `SELECT event_id FROM ${escapeIdentifier(schema)}.events ORDER BY event_id`,
        )
      ).rows.map((r) => r.event_id);
    try {
      expect(
        await until(async () => (await letters()).length === 1 && (await stored()).length === 6, 60_000),
      ).toBe(true);
    } finally {
      await sinks.stop();
    }
    expect(await stored()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    const [letter] = await letters();
    expect(letter!.value).toMatchObject({
      stage: 'sink',
      reasonCode: 'STORE_REJECTED',
      sourceTopic: names.oddsNormalized,
      sourcePartition: 0,
      sourceOffset: '3',
    });
    // The database's own words (PostgreSQL 22021: a NUL byte in text), not a generic "refused".
    expect(letter!.value.errors[0]!.message).toMatch(
      /timescale: the store refused the record: .*DATABASE_QUERY_FAILED.*0x00/,
    );
  });
});
