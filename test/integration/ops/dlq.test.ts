import { describe, expect, it } from 'vitest';
import { createKafka } from '../../../src/core/kafka/client.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { readTopicRange } from '../../../src/core/kafka/read-range.js';
import { createRoleContext } from '../../../src/app/roles/context.js';
import { startProcessors } from '../../../src/app/roles/processors.js';
import { AvroSerde } from '../../../src/core/serde/avro-serde.js';
import { rawBooks } from '../../helpers/raw-books.js';
import { until } from '../../helpers/wait.js';
import { publishRawBooks } from '../../helpers/publish.js';
import { exited, spawnOddsflow } from '../../helpers/processes.js';
import { provisionTopics, silentLogger, testConfig, roleEnv } from '../../helpers/stack.js';

const dayMs = 86_400_000;

describe('oddsflow dlq', () => {
  it('summarises dead letters, and requeues them to their source topic after a fix', async () => {
    const config = testConfig({ ODDSFLOW_INSTANCE_ID: 'dlq-test' });
    const names = await provisionTopics(config);
    const kafka = createKafka(config.kafka, { logger: silentLogger });
    const serde = new AvroSerde(config.registry, names);
    // A futures market 500 days out: beyond the default window of 400 days.
    const [future] = rawBooks(1).map((b) => ({ ...b, startTime: b.eventTime + 500 * dayMs }));
    await publishRawBooks(config, names, [future!]);

    const strict = await startProcessors(createRoleContext(config, silentLogger, createMetrics()));
    const letters = () => readTopicRange(kafka, serde, names, 'deadLetters', {});
    expect(await until(async () => (await letters()).length === 1, 60_000)).toBe(true);
    await strict.stop();
    expect((await letters())[0]!.value).toMatchObject({
      stage: 'validate',
      reasonCode: 'START_TIME_OUT_OF_WINDOW',
      sourceTopic: names.oddsRaw,
    });

    const env = roleEnv(config);
    const summary = spawnOddsflow(['dlq', 'summary'], env);
    expect(await exited(summary)).toBe(0);
    expect(summary.output()).toMatch(/1\s+validate START_TIME_OUT_OF_WINDOW/);

    // The fix: a wider window. Then the letter goes back to odds.raw and through again.
    const relaxed = await startProcessors(
      createRoleContext(
        testConfig({
          ODDSFLOW_TOPIC_PREFIX: config.topics.prefix,
          ODDSFLOW_INSTANCE_ID: 'dlq-test',
          ODDSFLOW_START_WINDOW_AHEAD_DAYS: '600',
        }),
        silentLogger,
        createMetrics(),
      ),
    );
    const requeue = spawnOddsflow(['dlq', 'requeue', '--reason', 'START_TIME_OUT_OF_WINDOW'], env);
    expect(await exited(requeue)).toBe(0);
    expect(requeue.output()).toContain(`requeued 1 records to ${names.oddsRaw}`);
    const normalized = () => readTopicRange(kafka, serde, names, 'oddsNormalized', {});
    expect(await until(async () => (await normalized()).length === 1, 60_000)).toBe(true);
    await relaxed.stop();
    expect((await normalized())[0]!.value.sourceEventId).toBe(future!.sourceEventId);
  });
});
