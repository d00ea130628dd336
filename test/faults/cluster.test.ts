import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../src/app/config/load.js';
import { createKafka } from '../../src/core/kafka/client.js';
import { groupIds } from '../../src/core/kafka/groups.js';
import { topicNames } from '../../src/core/kafka/topics.js';
import { measureLag } from '../../src/app/ops/lag.js';
import { stackDown, stackUp } from '../../stack/index.js';
import { kafkaNodeLayout, stackLayout } from '../../stack/layout.js';
import { exited } from '../helpers/processes.js';
import { silentLogger, testStack } from '../helpers/stack.js';
import type { TestStack } from '../setup/stack-context.js';
import { expectExactTopics, preparePipelineRun, waitUntilSettled } from './pipeline-run.js';
import { report } from './report.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A cluster of three brokers of its own takes two to four minutes on two cores: it runs in
// `npm run test:faults` (TEST_CLUSTER=1), not in every `npm test`.
describe.runIf(process.env.TEST_CLUSTER === '1')(
  'a three-broker cluster (oddsflow stack up --brokers 3)',
  () => {
    it('the leader of partitions being written is killed mid-production: topics keep three replicas, nothing lost, nothing duplicated', async () => {
      const shared = testStack();
      // A cluster of its own (other ports, other directory); the shared database and Redis.
      const stackDir = mkdtempSync(path.join(tmpdir(), 'oddsflow-cluster-'));
      const env = {
        ODDSFLOW_STACK_DIR: stackDir,
        ODDSFLOW_STACK_KAFKA_BROKERS: '3',
        ODDSFLOW_STACK_KAFKA_PORT: '39092',
        ODDSFLOW_STACK_KAFKA_HEAP_MB: '256',
        ODDSFLOW_STACK_REGISTRY_PORT: '38081',
        DATABASE_URL: shared.postgresUrl,
        REDIS_URL: shared.redisUrl,
      };
      const stackConfig = loadConfig(env);
      onTestFinished(() => stackDown(stackConfig, () => undefined).then(() => undefined));
      const { endpoints } = await stackUp(stackConfig, () => undefined);
      expect(endpoints.kafkaBrokers).toEqual(['127.0.0.1:39092', '127.0.0.1:39094', '127.0.0.1:39096']);
      const cluster: TestStack = {
        ...shared,
        kafkaBrokers: endpoints.kafkaBrokers,
        schemaRegistryUrl: endpoints.schemaRegistryUrl,
      };

      const run = await preparePipelineRun('cluster', 1500, cluster);
      const names = topicNames(run.config.topics.prefix);
      const admin = createKafka(run.config.kafka, { logger: silentLogger }).admin();
      await admin.connect();
      const processors = run.startRole('processors');
      try {
        const [raw] = (await admin.fetchTopicMetadata({ topics: [names.oddsRaw] })).topics;
        expect(raw!.partitions.map((p) => p.replicas.length)).toEqual([3, 3, 3]);
        const configs = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [
            { type: 2 /* TOPIC */, name: names.oddsNormalized, configNames: ['min.insync.replicas'] },
          ],
        });
        expect(configs.resources[0]!.configEntries[0]!.configValue).toBe('2');

        // The processors are consuming (schemas registered, ids cached) before anything fails.
        await run.publish(run.raw.slice(0, 200));
        const prepare = groupIds(run.config.topics.prefix).prepare;
        const committedOnRaw = async () =>
          (await measureLag(admin, { groups: [prepare], now: Date.now() }).catch(() => [])).filter(
            (r) => r.topic === names.oddsRaw && r.committed !== null,
          );
        for (const deadline = Date.now() + 120_000; (await committedOnRaw()).length === 0; await sleep(500)) {
          expect(Date.now() < deadline && processors.exitCode === null, processors.output()).toBe(true);
        }
        let sent = 200;
        const producing = (async () => {
          for (; sent < run.raw.length; sent += 25) {
            await run.publish(run.raw.slice(sent, sent + 25));
            await sleep(20);
          }
        })();
        while (sent < 600) await sleep(20);
        // The broker leading odds.raw's partition 0 now: the producer and the processors' fetches
        // and transactions are writing to and reading from it.
        const leader = (
          await admin.fetchTopicMetadata({ topics: [names.oddsRaw] })
        ).topics[0]!.partitions.find((p) => p.partitionId === 0)!.leader;
        const lagAtKill = (await committedOnRaw()).reduce((sum, r) => sum + r.lag, 0);
        const pid = Number(readFileSync(kafkaNodeLayout(stackLayout(stackDir), leader).pid, 'utf8').trim());
        process.kill(pid, 'SIGKILL');
        const atKill = sent;
        expect(atKill).toBeLessThan(run.raw.length);
        await producing;

        // Settled: both processor stages have committed past every record of their inputs (the
        // enrich stage trails the prepare stage, so the prepare stage's lag alone is not enough).
        expect(await waitUntilSettled(run, 180_000, ['processors']), processors.output()).toBe(true);
        const checked = await expectExactTopics(run, 'leader killed');
        report(
          'cluster leader killed',
          `broker ${leader} (leader of odds.raw partition 0) killed with SIGKILL after ${atKill} of ${run.raw.length} raw books, prepare lag ${lagAtKill} at the kill; topics with 3 replicas and min.insync.replicas 2; ${checked.raw} raw books once each, ${checked.normalized} normalized books equal to the expected ones`,
        );
      } finally {
        processors.kill('SIGTERM');
        await exited(processors);
        await admin.disconnect();
        await run.cleanup();
      }
    }, 420_000);
  },
);
