import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../src/app/config/load.js';
import type { RawMarketBook, RawResult } from '../../../src/core/generated/avro-types.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { readTopicRange } from '../../../src/core/kafka/read-range.js';
import { createRoleContext, provision, type RoleContext } from '../../../src/app/roles/context.js';
import { startConnectors } from '../../../src/app/roles/connectors.js';
import { startSimulators, type Simulators } from '../../../src/app/sim/simulators.js';
import { randomId, silentLogger, testStack } from '../../helpers/stack.js';

describe('connectors: simulators → connectors → Kafka (Avro) → decoded records', () => {
  let sims: Simulators;
  let config: Config;
  let ctx: RoleContext;
  let books: RawMarketBook[] = [];
  let results: RawResult[] = [];

  beforeAll(async () => {
    sims = await startSimulators();
    const stack = testStack();
    config = loadConfig({
      ...sims.connectorSettings,
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      ODDSFLOW_TOPIC_PREFIX: `${randomId('conn')}.`,
      ODDSFLOW_TOPIC_PARTITIONS: '3',
      ODDSFLOW_STATE_DIR: `/tmp/${randomId('state')}`,
      ODDSFLOW_LOG_LEVEL: 'silent',
    });
    ctx = createRoleContext(config, silentLogger, createMetrics());
    await provision(ctx);
    const connectors = await startConnectors(ctx);
    // Long enough for Betfair races to settle and Odds API games to complete (each connector's demo-simulator.ts).
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5_000));
      results = (await readTopicRange(ctx.kafka, ctx.serde, ctx.names, 'resultsRaw', {})).map((r) => r.value);
      if (new Set(results.map((r) => r.provider)).size === 2) break;
    }
    await connectors.stop();
    books = (await readTopicRange(ctx.kafka, ctx.serde, ctx.names, 'oddsRaw', {})).map((r) => r.value);
    results = (await readTopicRange(ctx.kafka, ctx.serde, ctx.names, 'resultsRaw', {})).map((r) => r.value);
  }, 180_000);

  afterAll(async () => {
    await sims?.stop();
    const admin = ctx?.kafka.admin();
    if (admin) {
      await admin.connect();
      await admin.deleteTopics({ topics: Object.values(ctx.names) }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('publishes raw books of every provider, prices as the provider gave them', () => {
    const byProvider = new Map<string, RawMarketBook[]>();
    for (const b of books) byProvider.set(b.provider, [...(byProvider.get(b.provider) ?? []), b]);
    expect([...byProvider.keys()].sort()).toEqual(['betfair', 'the-odds-api', 'ws-json']);
    const betfair = byProvider.get('betfair')!;
    expect(new Set(betfair.map((b) => b.side))).toEqual(new Set(['back', 'lay']));
    expect(betfair.every((b) => b.priceFormat === 'decimal' && b.sport !== '')).toBe(true);
    expect(betfair.some((b) => b.selections.some((s) => s.size !== null))).toBe(true);
    // Named from the simulator's listMarketCatalogue: the stream's definitions name nothing.
    expect(betfair.every((b) => b.eventName !== null && b.selections.every((s) => s.name !== null))).toBe(
      true,
    );
    const formats = new Set(byProvider.get('ws-json')!.map((b) => b.priceFormat));
    expect(formats.size).toBeGreaterThan(1); // the feed mixes decimal, fractional and American books
    expect(books.every((b) => b.payload.length > 2 && b.eventTime > 0 && b.receivedAt > 0)).toBe(true);
  });

  it('publishes results of settled markets and completed games, once each', () => {
    expect(new Set(results.map((r) => r.provider))).toEqual(new Set(['betfair', 'the-odds-api']));
    const keys = results.map((r) => `${r.provider}:${r.sourceEventId}:${r.sourceMarketId ?? ''}`);
    expect(new Set(keys).size).toBe(keys.length);
    const race = results.find((r) => r.provider === 'betfair')!;
    expect(race.runners.filter((r) => r.status === 'WINNER').length).toBeGreaterThan(0);
    expect(race.runners.every((r) => r.name !== null)).toBe(true);
    const game = results.find((r) => r.provider === 'the-odds-api')!;
    expect(game.completed).toBe(true);
    expect(game.scores).toHaveLength(2);
  });
});
