import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { loadConfig, type Config } from '../../src/app/config/load.js';
import type { Env } from '../../src/core/config/load.js';
import { createTopics } from '../../src/core/kafka/admin.js';
import { createKafka } from '../../src/core/kafka/client.js';
import { topicIds, topicNames, type TopicNames } from '../../src/core/kafka/topics.js';
import { valueSubject } from '../../src/core/serde/schemas.js';
import { createLogger, type Logger } from '../../src/core/logger.js';
import type { TestStack } from '../setup/stack-context.js';

export function testStack(): TestStack {
  return inject('stack');
}

export function randomId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export const silentLogger: Logger = createLogger({ level: 'silent' });

/**
 * Config pointing at the test stack, with a random topic prefix so that topics, subjects and
 * consumer groups of one test never meet another's.
 */
export function testConfig(overrides: Env = {}, stack: TestStack = testStack()): Config {
  return loadConfig({
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    DATABASE_URL: stack.timescaleUrl,
    REDIS_URL: stack.redisUrl,
    ODDSFLOW_TOPIC_PREFIX: `${randomId('t')}.`,
    ODDSFLOW_TOPIC_PARTITIONS: '3',
    ODDSFLOW_LOG_LEVEL: 'silent',
    ...overrides,
  });
}

/** Creates the contract's topics under the config's prefix; deletes them and their subjects after the file. */
export async function provisionTopics(config: Config): Promise<TopicNames> {
  const names = topicNames(config.topics.prefix);
  const admin = createKafka(config.kafka, { logger: silentLogger }).admin();
  await admin.connect();
  await createTopics(admin, names, config.topics);
  afterAll(async () => {
    // TEST_KEEP_TOPICS=1 leaves them for a look at what a failed test wrote (e.g. with kafka-dump-log).
    if (process.env.TEST_KEEP_TOPICS) return admin.disconnect();
    await admin.deleteTopics({ topics: topicIds.map((id) => names[id]) }).catch(() => undefined);
    await admin.disconnect();
    for (const id of topicIds) {
      await fetch(`${config.registry.url}/subjects/${encodeURIComponent(valueSubject(names[id]))}`, {
        method: 'DELETE',
      }).catch(() => undefined);
    }
  });
  return names;
}

/**
 * The environment of an `oddsflow` child process on the test stack, under the config's topic
 * prefix: what a role run by a test needs, plus `extra`.
 */
export function roleEnv(config: Config, extra: Record<string, string> = {}): Record<string, string> {
  const stack = testStack();
  return {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    ODDSFLOW_TOPIC_PREFIX: config.topics.prefix,
    ODDSFLOW_HTTP_PORT: '0',
    ODDSFLOW_LOG_LEVEL: 'warn',
    ...extra,
  };
}
