import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/app/config/load.js';
import { topicNames } from '../../src/core/kafka/topics.js';
import { createKafka } from '../../src/core/kafka/client.js';
import { createMetrics } from '../../src/core/metrics.js';
import { readTopicRange } from '../../src/core/kafka/read-range.js';
import { createRoleContext, provision } from '../../src/app/roles/context.js';
import { startConnectors } from '../../src/app/roles/connectors.js';
import { AvroSerde } from '../../src/core/serde/avro-serde.js';
import { startSimulators } from '../../src/app/sim/simulators.js';
import { stackDown, stackUp } from '../../stack/index.js';
import { openRawPublisher } from '../helpers/publish.js';
import { rawBooks } from '../helpers/raw-books.js';
import { provisionTopics, randomId, silentLogger, testConfig, testStack } from '../helpers/stack.js';
import { exited } from '../helpers/processes.js';
import {
  expectExactStores,
  expectExactTopics,
  preparePipelineRun,
  waitUntilSettled,
} from './pipeline-run.js';
import { report } from './report.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops the stack's broker for `downMs` and starts it again; returns once `topic` has a leader
 * for every partition again (the restarted broker answers before that, and later steps need them).
 */
async function restartBroker(config: Config, topic: string, downMs: number): Promise<void> {
  const stackConfig = loadConfig();
  expect(await stackDown(stackConfig, () => undefined, ['kafka'])).toEqual(['kafka']);
  await sleep(downMs);
  await stackUp(stackConfig, () => undefined);
  const admin = createKafka(config.kafka, { logger: silentLogger }).admin();
  await admin.connect();
  for (let i = 0; i < 60; i++) {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => ({ topics: [] }));
    if (topics[0]?.partitions.every((p) => p.leader >= 0)) break;
    await sleep(500);
  }
  await admin.disconnect();
}

describe('faults outside the pipeline', () => {
  // Only a broker the local stack runs can be stopped and started by a test.
  it.runIf(testStack().controls.kafka)(
    'a broker restart during production loses nothing and duplicates nothing (idempotent producer, retries)',
    async () => {
      const config = testConfig();
      const names = await provisionTopics(config);
      const serde = new AvroSerde(config.registry, names);
      await serde.registerAll(); // ids cached: encoding needs no registry during the outage
      const publisher = await openRawPublisher(config, names, { serde });
      const books = rawBooks(3000);
      let sent = 0;
      const producing = (async () => {
        for (; sent < books.length; sent += 50) await publisher.publishBooks(books.slice(sent, sent + 50));
      })();
      while (sent < 600) await sleep(20);
      const atRestart = sent;
      await restartBroker(config, names.oddsRaw, 3000);
      await producing;
      await publisher.close();

      const stored = await readTopicRange(
        createKafka(config.kafka, { logger: silentLogger }),
        serde,
        names,
        'oddsRaw',
        {},
      );
      const ids = stored.map((r) => (JSON.parse(r.value.payload) as { i: number }).i);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(books.length);
      report(
        'broker restart',
        `broker stopped for 3 s after ${atRestart} of ${books.length} books; all ${ids.length} arrived once`,
      );
    },
    240_000,
  );

  it.runIf(testStack().controls.kafka)(
    'a broker restart under the processors and the sinks: their consumers start again by themselves, nothing lost or repeated',
    async () => {
      const run = await preparePipelineRun('brokerpipe', 1200);
      const roles = [run.startRole('sinks'), run.startRole('processors')];
      try {
        // Both roles are consuming once rows arrive (their start-up takes seconds of its own).
        await run.publish(run.raw.slice(0, 200));
        while ((await run.rowCount()) === 0) await sleep(200);
        // Books keep coming while the broker goes away, so the consumers are busy (fetching,
        // committing) when it does: that is when kafkajs gives up on the group coordinator.
        let sent = 200;
        const producing = (async () => {
          for (; sent < run.raw.length; sent += 20) {
            await run.publish(run.raw.slice(sent, sent + 20));
            await sleep(25);
          }
        })();
        while (sent < 600) await sleep(20);
        const atRestart = sent;
        await restartBroker(run.config, topicNames(run.config.topics.prefix).oddsRaw, 10_000);
        await producing;
        const settled = await waitUntilSettled(run, 180_000);
        const output = roles.map((r) => r.output()).join('\n');
        expect(settled, output).toBe(true);
        // Before the supervisor, kafkajs's "Failed to find group coordinator" stopped a consumer
        // for good and `oddsflow run` exited with code 1, waiting for an outside restart.
        expect(
          roles.map((r) => r.exitCode),
          output,
        ).toEqual([null, null]);
        const checked = await expectExactStores(run, 'broker restart under the pipeline');
        const topics = await expectExactTopics(run, 'broker restart under the pipeline');
        const restarts = output.split('\n').filter((l) => l.includes('restarting it in')).length;
        report(
          'broker restart under the pipeline',
          `broker stopped for 10 s after ${atRestart} of ${run.raw.length} raw books, sent while the roles consumed; ${restarts} consumer loop restart(s) by the supervisor, no role exited; topics exactly once (odds.raw ${topics.raw}, odds.normalized ${topics.normalized}, odds.pricing ${topics.pricing}); ${checked.rows} odds_snapshots rows equal to the expected set; Redis holds exactly the expected ${checked.fields} fields`,
        );
      } finally {
        for (const role of roles) role.kill('SIGTERM');
        await Promise.all(roles.map((r) => exited(r)));
        await run.cleanup();
      }
    },
    300_000,
  );

  it('a provider fault storm: 429s, provider down, malformed frames, dropped streams; connectors stay up and recover', async () => {
    const sims = await startSimulators({ simulators: { 'the-odds-api': { pollMs: 500 } } });
    const { 'the-odds-api': oddsApi, 'ws-json': ws, betfair } = sims.byConnector;
    const stack = testStack();
    const config = loadConfig({
      ...sims.connectorSettings,
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      ODDSFLOW_TOPIC_PREFIX: `${randomId('storm')}.`,
      ODDSFLOW_TOPIC_PARTITIONS: '3',
      ODDSFLOW_STATE_DIR: `/tmp/${randomId('state')}`,
      ODDSFLOW_LOG_LEVEL: 'silent',
    });
    const metrics = createMetrics();
    const ctx = createRoleContext(config, silentLogger, metrics);
    await provision(ctx);
    const connectors = await startConnectors(ctx);
    try {
      await sleep(3000);
      const requestsBeforeStorm = oddsApi.stats.requests;
      oddsApi.setFaults({ rateLimit: 30, retryAfterSeconds: 1 });
      ws.inject('malformed');
      betfair.sendMalformed();
      await sleep(4000);
      const requestsDuringStorm = oddsApi.stats.requests - requestsBeforeStorm;
      oddsApi.setFaults({ rateLimit: 0, serverError: Infinity });
      ws.inject('drop');
      betfair.dropConnections();
      await sleep(8000);
      oddsApi.setFaults({ serverError: 0 });
      const recoveredAt = Date.now();
      await sleep(20_000);

      const transitions = (await metrics.breakerTransitions.get()).values
        .filter((v) => v.labels.breaker === 'the-odds-api')
        .map((v) => String(v.labels.state));
      expect(transitions).toEqual(expect.arrayContaining(['open', 'closed']));
      // Backoff, not a flood: a 429 storm of 4 s costs a handful of requests, not hundreds.
      expect(requestsDuringStorm).toBeLessThan(40);
      const books = (await readTopicRange(ctx.kafka, ctx.serde, ctx.names, 'oddsRaw', {})).map(
        (r) => r.value,
      );
      const after = new Set(books.filter((b) => b.receivedAt > recoveredAt).map((b) => b.provider));
      expect(after).toEqual(new Set(['the-odds-api', 'betfair', 'ws-json']));
      const letters = (await readTopicRange(ctx.kafka, ctx.serde, ctx.names, 'deadLetters', {})).map(
        (r) => r.value,
      );
      expect(
        letters
          .filter((l) => l.stage === 'parse')
          .map((l) => l.provider)
          .sort(),
      ).toEqual(expect.arrayContaining(['betfair', 'ws-json']));
      report(
        'provider storm',
        `${requestsDuringStorm} Odds API requests during a 4 s 429 storm; breaker ${transitions.join('→')}; ${letters.length} malformed frames dead-lettered; all three providers published again after recovery`,
      );
    } finally {
      await connectors.stop();
      await sims.stop();
    }
  }, 180_000);
});
