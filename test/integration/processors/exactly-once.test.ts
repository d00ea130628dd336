import { beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { createKafka } from '../../../src/core/kafka/client.js';
import type { TopicNames } from '../../../src/core/kafka/topics.js';
import { AvroSerde } from '../../../src/core/serde/avro-serde.js';
import type { Config } from '../../../src/app/config/load.js';
import { provisionTopics, roleEnv, silentLogger, testConfig } from '../../helpers/stack.js';
import { publishRawBooks } from '../../helpers/publish.js';
import { rawBooks } from '../../helpers/raw-books.js';
import { spawnOddsflow, exited } from '../../helpers/processes.js';
import { endOffsetSum, readTopic } from '../../helpers/kafka.js';

const BOOKS = 3000;

describe('processors: exactly-once between topics', () => {
  let config: Config;
  let names: TopicNames;
  let kafka: Kafka;
  let serde: AvroSerde;
  let env: Record<string, string>;

  beforeAll(async () => {
    config = testConfig();
    names = await provisionTopics(config);
    kafka = createKafka(config.kafka, { logger: silentLogger });
    serde = new AvroSerde(config.registry, names);
    env = roleEnv(config, {
      ODDSFLOW_INSTANCE_ID: 'eos-test',
      // Small transactions, so that the kill lands between many commits.
      ODDSFLOW_TRANSACTION_MAX_RECORDS: '40',
    });
    await publishRawBooks(config, names, rawBooks(BOOKS));
  });

  it('a processor killed (SIGKILL) mid-stream leaves no duplicate and no gap after restart', async () => {
    const first = spawnOddsflow(['run', '--role', 'processors'], env);
    // Kill once some, but not all, transactions have committed.
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && (await endOffsetSum(kafka, names.oddsNormalized)) < 300) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = await endOffsetSum(kafka, names.oddsNormalized);
    first.kill('SIGKILL');
    await exited(first);
    expect(before, first.output()).toBeGreaterThan(0);
    expect(before).toBeLessThan(BOOKS * 1.2);

    const second = spawnOddsflow(['run', '--role', 'processors'], env);
    const normalized = await readTopic(kafka, names.oddsNormalized, { expected: BOOKS, timeoutMs: 120_000 });
    const pricing = await readTopic(kafka, names.oddsPricing, { expected: BOOKS, timeoutMs: 60_000 });
    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);

    const decoded = await Promise.all(normalized.map((m) => serde.decode('oddsNormalized', m.value)));
    const seen = decoded.map((b) => `${b.sourceEventId}@${b.eventTime}`);
    expect(new Set(seen).size).toBe(seen.length); // no duplicate
    expect(decoded).toHaveLength(BOOKS); // no gap
    expect(pricing).toHaveLength(BOOKS);
    // per key, the books arrive in their original order
    const byKey = new Map<string, number[]>();
    for (const b of decoded) byKey.set(b.sourceEventId, [...(byKey.get(b.sourceEventId) ?? []), b.eventTime]);
    for (const times of byKey.values()) expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('stops gracefully on SIGTERM with exit code 0', async () => {
    const child = spawnOddsflow(['run', '--role', 'processors'], { ...env, ODDSFLOW_LOG_LEVEL: 'info' });
    await new Promise((r) => setTimeout(r, 8000));
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(child.output()).toContain('stopping');
  });
});
