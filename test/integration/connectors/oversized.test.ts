import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { beforeAll, describe, expect, it } from 'vitest';
import { wsJsonConnector } from '../../../connectors/ws-json/index.js';
import { simulatorFieldMapping } from '../../../connectors/ws-json/simulator.js';
import type { Config } from '../../../src/app/config/load.js';
import { packageRoot } from '../../../src/core/config/paths.js';
import type { RawMarketBook } from '../../../src/core/generated/avro-types.js';
import { createKafka } from '../../../src/core/kafka/client.js';
import type { TopicNames } from '../../../src/core/kafka/topics.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { readTopicRange } from '../../../src/core/kafka/read-range.js';
import { createRoleContext } from '../../../src/app/roles/context.js';
import { startProcessors } from '../../../src/app/roles/processors.js';
import { createBreakerFactory } from '../../../src/core/resilience/breaker.js';
import { AvroSerde } from '../../../src/core/serde/avro-serde.js';
import { openRawPublisher, publishNormalizedBooks } from '../../helpers/publish.js';
import { rawBooks } from '../../helpers/raw-books.js';
import { RecordedStatus } from '../../helpers/connector-status.js';
import { provisionTopics, randomId, silentLogger, testConfig } from '../../helpers/stack.js';
import { book } from '../../helpers/records.js';
import { until } from '../../helpers/wait.js';
import { selectionExtras } from '../../helpers/record-defaults.js';

/** Settles with the promise's outcome, or 'still waiting' after `ms`: a publish that loops for ever shows as such. */
async function within<T>(work: Promise<T>, ms: number): Promise<T | Error | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still waiting'>(
    (resolve) => (timer = setTimeout(() => resolve('still waiting'), ms)),
  );
  try {
    return await Promise.race([work.catch((err: unknown) => err as Error), late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('oversized records never wedge the pipeline', () => {
  let config: Config;
  let names: TopicNames;
  const kafka = () => createKafka(config.kafka, { logger: silentLogger });
  const hugeBook = (bytes: number): RawMarketBook => ({
    ...rawBooks(1, { baseTime: Date.now() })[0]!,
    payload: 'x'.repeat(bytes),
  });

  beforeAll(async () => {
    config = testConfig();
    names = await provisionTopics(config);
  });

  it('a ws-json frame of 1.5 MB that does not parse: dead-lettered cut to size with its length and hash; the next frame flows', async () => {
    const frame = Buffer.from(`{"type":"odds","broken":"${'y'.repeat(1_500_000)}`);
    const valid = readFileSync(path.join(packageRoot, 'test/fixtures/ws-json/simulator.racing-win.json'));
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (socket) => {
      socket.send(frame);
      socket.send(valid);
    });
    await new Promise((resolve) => server.once('listening', resolve));
    const publisher = await openRawPublisher(config, names);
    const metrics = createMetrics();
    const connector = wsJsonConnector.create(
      wsJsonConnector.configSchema.parse({
        url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/feed`,
        mapping: simulatorFieldMapping,
        maxPayload: 4 * 1024 * 1024,
      }),
      {
        logger: silentLogger,
        publisher,
        breakers: createBreakerFactory(silentLogger, metrics),
        clock: { now: Date.now },
        metrics,
        stateDir: '/nonexistent',
        status: new RecordedStatus(),
      },
    );
    try {
      await connector.start();
      const serde = new AvroSerde(config.registry, names);
      expect(
        await until(
          async () => (await readTopicRange(kafka(), serde, names, 'oddsRaw', {})).length > 0,
          60_000,
        ),
        'the frame after the oversized one never reached odds.raw',
      ).toBe(true);
      const letters = await readTopicRange(kafka(), serde, names, 'deadLetters', {});
      expect(letters).toHaveLength(1);
      const letter = letters[0]!.value;
      expect(letter).toMatchObject({
        stage: 'parse',
        provider: 'ws-json',
        truncated: true,
        originalSize: frame.length,
        originalSha256: createHash('sha256').update(frame).digest('hex'),
      });
      expect(letter.originalValue.equals(frame.subarray(0, letter.originalValue.length))).toBe(true);
      expect(letter.originalValue.length).toBeLessThanOrEqual(256 * 1024);
    } finally {
      await connector.stop();
      await publisher.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a record over ODDSFLOW_MAX_RECORD_BYTES, or one the broker refuses as too large, fails the publish at once', async () => {
    const publisher = await openRawPublisher(config, names);
    try {
      const refused = await within(publisher.publishBooks([hugeBook(1_200_000)]), 30_000);
      expect(refused).toMatchObject({ code: 'KAFKA_RECORD_REJECTED', retriable: false });
    } finally {
      await publisher.close();
    }

    // A topic whose own limit is below ours: only the broker can tell, with MESSAGE_TOO_LARGE.
    const small = `${config.topics.prefix}small-limit`;
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: small, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '100000' }] },
      ],
    });
    await admin.disconnect();
    const strict = await openRawPublisher(config, { ...names, oddsRaw: small });
    try {
      const outcome = await within(strict.publishBooks([hugeBook(300_000)]), 60_000);
      expect(outcome).toMatchObject({ code: 'KAFKA_RECORD_REJECTED', retriable: false });
      expect((outcome as Error).message).toContain('MESSAGE_TOO_LARGE');
    } finally {
      await strict.close();
      const cleanup = kafka().admin();
      await cleanup.connect();
      await cleanup.deleteTopics({ topics: [small] }).catch(() => undefined);
      await cleanup.disconnect();
    }
  });

  it('a processor output over the limit: its input is dead-lettered (RECORD_TOO_LARGE) and the partition moves on', async () => {
    const own = testConfig({
      ODDSFLOW_TOPIC_PARTITIONS: '1',
      ODDSFLOW_INSTANCE_ID: randomId('oversized'),
      ODDSFLOW_MAX_RECORD_BYTES: String(512 * 1024),
      ODDSFLOW_STATE_WARMUP_MINUTES: '0',
    });
    const ownNames = await provisionTopics(own);
    const serde = new AvroSerde(own.registry, ownNames);
    const eventTime = Date.now() - 60_000;
    // 6,000 runners: a normalized book of ~200 KB whose pricing (five fair probabilities each) is far larger.
    const crowded = book({
      eventId: 'oversized-market',
      startTime: Date.now() + 3_600_000,
      eventTime,
      selections: Array.from({ length: 6_000 }, (_, i) => ({
        selectionId: `runner-${i}`,
        name: null,
        decimalOdds: 2 + i,
        point: null,
        size: null,
        status: 'ACTIVE',
        ...selectionExtras(),
      })),
    });
    const normal = book({ eventId: 'normal-market', startTime: Date.now() + 3_600_000, eventTime });
    await publishNormalizedBooks(own, ownNames, [crowded, normal]);

    const processors = await startProcessors(createRoleContext(own, silentLogger, createMetrics()));
    try {
      const ownKafka = createKafka(own.kafka, { logger: silentLogger });
      expect(
        await until(
          async () =>
            (await readTopicRange(ownKafka, serde, ownNames, 'oddsPricing', {})).some(
              (p) => p.value.eventId === 'normal-market',
            ),
          90_000,
        ),
        'the book after the oversized one was never priced',
      ).toBe(true);
      const letters = (await readTopicRange(ownKafka, serde, ownNames, 'deadLetters', {})).map(
        (l) => l.value,
      );
      expect(letters.map((l) => [l.stage, l.reasonCode, l.sourceTopic, l.sourceOffset])).toEqual([
        ['enrich', 'RECORD_TOO_LARGE', ownNames.oddsNormalized, '0'],
      ]);
      expect(letters[0]!.errors[0]!.message).toContain('over ODDSFLOW_MAX_RECORD_BYTES (524288)');
    } finally {
      await processors.stop();
    }
  });
});
