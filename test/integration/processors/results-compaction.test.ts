import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { emptyAliasTables } from '../../../processors/normalize/aliases.js';
import { createPrepareStage } from '../../../processors/pipeline/prepare-stage.js';
import type { Config } from '../../../src/app/config/load.js';
import type { RawResult, Result } from '../../../src/core/generated/avro-types.js';
import { createKafka, createProducer } from '../../../src/core/kafka/client.js';
import type { OutputRecord } from '../../../src/core/kafka/records.js';
import { topicNames, type TopicNames } from '../../../src/core/kafka/topics.js';
import { rekeyResults } from '../../../src/app/ops/rekey-results.js';
import { offsetsFrom, readPartitions } from '../../../src/core/kafka/read-range.js';
import { AvroSerde } from '../../../src/core/serde/avro-serde.js';
import { valueSubject } from '../../../src/core/serde/schemas.js';
import { randomId, silentLogger, testConfig } from '../../helpers/stack.js';

const off = Date.parse('2026-11-20T14:30:00Z');

/** A settled Betfair market of the 14:30 at Ascot, as the connector publishes it. */
function settled(marketType: 'WIN' | 'PLACE', winners: string[], settledAt: number): RawResult {
  const runners = ['Silver Arrow', 'Storm Harbour', 'Golden Comet', 'Iron Crown'];
  return {
    provider: 'betfair',
    sourceEventId: '34000001',
    sourceMarketId: marketType === 'WIN' ? '1.240000001' : '1.240000002',
    sport: '7',
    competition: null,
    eventName: 'Ascot 20th Nov',
    homeTeam: null,
    awayTeam: null,
    venue: 'Ascot',
    raceNumber: null,
    startTime: off,
    marketType,
    numberOfPlaces: marketType === 'PLACE' ? 2 : null,
    completed: true,
    scores: [],
    runners: runners.map((name, i) => ({
      sourceSelectionId: String(50_000 + i),
      name,
      status: winners.includes(name) ? 'WINNER' : 'LOSER',
      bsp: null,
    })),
    eventTime: settledAt,
    receivedAt: settledAt,
    payload: '{}',
  };
}

/** The prepare stage's own records for the results, with the keys it gives them. */
function prepared(results: RawResult[]): OutputRecord<'resultsNormalized'>[] {
  const stage = createPrepareStage({ aliases: emptyAliasTables, now: () => off });
  return results.flatMap((value) =>
    stage
      .process({ topic: 'resultsRaw', value, key: null, raw: Buffer.from('{}'), source: null })
      .filter((r): r is OutputRecord<'resultsNormalized'> => r.topic === 'resultsNormalized'),
  );
}

interface Stored {
  key: string | null;
  offset: string;
  result: Result | null;
}

describe('results.normalized keyed per market and provider', () => {
  let config: Config;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const topics: string[] = [];
  const subjects: string[] = [];

  beforeAll(async () => {
    config = testConfig();
    kafka = createKafka(config.kafka, { logger: silentLogger });
    admin = kafka.admin();
    await admin.connect();
    producer = createProducer(kafka);
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    for (const subject of subjects) {
      await fetch(`${config.registry.url}/subjects/${encodeURIComponent(subject)}`, {
        method: 'DELETE',
      }).catch(() => undefined);
    }
  });

  /** A topic named like results.normalized under a fresh prefix, with the given compaction settings. */
  async function resultsTopic(
    configEntries: { name: string; value: string }[],
  ): Promise<{ names: TopicNames; serde: AvroSerde }> {
    const names = topicNames(`${randomId('t')}.`);
    topics.push(names.resultsNormalized);
    subjects.push(valueSubject(names.resultsNormalized));
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: names.resultsNormalized, numPartitions: 1, replicationFactor: 1, configEntries }],
    });
    return { names, serde: new AvroSerde(config.registry, names) };
  }

  async function read(names: TopicNames, serde: AvroSerde): Promise<Stored[]> {
    const stored: Stored[] = [];
    const ranges = await offsetsFrom(kafka, names.resultsNormalized, undefined);
    await readPartitions(kafka, names.resultsNormalized, ranges, async (message) => {
      stored.push({
        key: message.key?.toString() ?? null,
        offset: message.offset,
        result: message.value === null ? null : await serde.decode('resultsNormalized', message.value),
      });
    });
    return stored;
  }

  it('keeps the WIN and the PLACE result of one race through compaction (the old event key kept one)', async () => {
    // Small segments and an eager cleaner: compaction runs within seconds instead of hours.
    const eager = [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'segment.ms', value: '200' },
      { name: 'min.cleanable.dirty.ratio', value: '0.01' },
      { name: 'min.compaction.lag.ms', value: '0' },
      { name: 'delete.retention.ms', value: '1000' },
    ];
    const perMarket = await resultsTopic(eager);
    const byEvent = await resultsTopic(eager);
    // The WIN market settled, then re-settled (a correction), and the PLACE market settled.
    const records = prepared([
      settled('WIN', ['Silver Arrow'], off + 120_000),
      settled('PLACE', ['Silver Arrow', 'Golden Comet'], off + 130_000),
      settled('WIN', ['Storm Harbour'], off + 600_000),
    ]);
    expect(records.map((r) => r.key)).toEqual([
      'horse-racing/2026-11-20/ascot/1430:WIN:betfair',
      'horse-racing/2026-11-20/ascot/1430:PLACE@2:betfair',
      'horse-racing/2026-11-20/ascot/1430:WIN:betfair',
    ]);
    const send = async (target: { names: TopicNames; serde: AvroSerde }, key: (r: Result) => string) => {
      for (const record of records) {
        await producer.send({
          topic: target.names.resultsNormalized,
          acks: -1,
          messages: [
            { key: key(record.value), value: await target.serde.encode('resultsNormalized', record.value) },
          ],
        });
      }
    };
    await send(perMarket, (r) => `${r.eventId}:${r.marketId ?? ''}:${r.provider}`);
    await send(byEvent, (r) => r.eventId);

    // Roll segments with filler records (another race) until the cleaner has removed the first
    // WIN result from both topics: proof that compaction ran.
    const filler = prepared([
      { ...settled('WIN', ['Iron Crown'], off), sourceEventId: '34000009', startTime: off + 3_600_000 },
    ])[0]!;
    const compacted = async (target: { names: TopicNames; serde: AvroSerde }) =>
      !(await read(target.names, target.serde)).some((s) => s.offset === '0');
    const deadline = Date.now() + 100_000;
    while (!((await compacted(perMarket)) && (await compacted(byEvent)))) {
      expect(Date.now(), 'the log cleaner did not compact within 100 s').toBeLessThan(deadline);
      for (const target of [perMarket, byEvent]) {
        await producer.send({
          topic: target.names.resultsNormalized,
          acks: -1,
          messages: [
            { key: filler.key, value: await target.serde.encode('resultsNormalized', filler.value) },
          ],
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }

    const race = (stored: Stored[]) =>
      stored
        .map((s) => s.result)
        .filter((r): r is Result => r !== null && r.eventId === records[0]!.value.eventId)
        .map((r) => [r.marketId, r.winners]);
    expect(race(await read(perMarket.names, perMarket.serde))).toEqual([
      ['PLACE@2', ['silver-arrow', 'golden-comet']],
      ['WIN', ['storm-harbour']],
    ]);
    // Keyed by the event alone, the PLACE result was compacted away by the WIN correction.
    expect(race(await read(byEvent.names, byEvent.serde))).toEqual([['WIN', ['storm-harbour']]]);
  }, 150_000);

  it('oddsflow topics rekey-results moves records under the old key to the new one and tombstones the old', async () => {
    const target = await resultsTopic([{ name: 'cleanup.policy', value: 'compact' }]);
    const records = prepared([
      settled('WIN', ['Silver Arrow'], off + 120_000),
      settled('PLACE', ['Silver Arrow', 'Golden Comet'], off + 130_000),
    ]);
    for (const record of records) {
      await producer.send({
        topic: target.names.resultsNormalized,
        acks: -1,
        messages: [
          { key: record.value.eventId, value: await target.serde.encode('resultsNormalized', record.value) },
        ],
      });
    }
    const first = await rekeyResults(kafka, target.serde, target.names, { dryRun: false });
    expect(first).toEqual({ read: 2, republished: 2, tombstones: 1 });
    const stored = await read(target.names, target.serde);
    expect(stored.map((s) => [s.key, s.result?.marketId ?? null])).toEqual([
      ['horse-racing/2026-11-20/ascot/1430', 'WIN'],
      ['horse-racing/2026-11-20/ascot/1430', 'PLACE@2'],
      ['horse-racing/2026-11-20/ascot/1430:WIN:betfair', 'WIN'],
      ['horse-racing/2026-11-20/ascot/1430:PLACE@2:betfair', 'PLACE@2'],
      ['horse-racing/2026-11-20/ascot/1430', null],
    ]);
    // Nothing left to do the second time.
    expect(await rekeyResults(kafka, target.serde, target.names, { dryRun: false })).toEqual({
      read: 4,
      republished: 0,
      tombstones: 0,
    });
  });
});
