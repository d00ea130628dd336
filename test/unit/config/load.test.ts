import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/app/config/load.js';
import { writeStackEndpoints } from '../../../src/core/config/endpoints.js';
import { ConfigError } from '../../../src/core/errors.js';

const emptyStackDir = () => mkdtempSync(path.join(tmpdir(), 'oddsflow-stack-'));

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ ODDSFLOW_STACK_DIR: emptyStackDir(), ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the local-stack defaults when nothing is set', () => {
    const config = loadConfig({ ODDSFLOW_STACK_DIR: emptyStackDir() });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(config.registry.url).toBe('http://127.0.0.1:18081/apis/ccompat/v7');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.topics).toEqual({ prefix: '', partitions: 6, replicationFactor: 'auto' });
    expect(config.explicit).toEqual({ kafka: false, registry: false, database: false, redis: false });
    expect(config.kafka.consumerFetchMaxBytes).toBe(1_048_576);
  });

  it('parses lists, numbers and booleans from strings', () => {
    const config = loadConfig({
      ODDSFLOW_STACK_DIR: emptyStackDir(),
      KAFKA_BROKERS: 'a:9092, b:9093',
      KAFKA_SSL: 'yes',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
      ODDSFLOW_TOPIC_PARTITIONS: '12',
      KAFKA_CONSUMER_FETCH_MAX_BYTES: '4194304',
    });
    expect(config.kafka.brokers).toEqual(['a:9092', 'b:9093']);
    expect(config.kafka.ssl).toBe(true);
    expect(config.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
    expect(config.topics.partitions).toBe(12);
    expect(config.kafka.consumerFetchMaxBytes).toBe(4_194_304);
    expect(config.explicit.kafka).toBe(true);
  });

  it('reports every problem, one line each, named by its variable', () => {
    const problems = problemsOf({
      KAFKA_BROKERS: 'localhost',
      ODDSFLOW_TOPIC_PARTITIONS: 'many',
      ODDSFLOW_LOG_LEVEL: 'loud',
      REDIS_URL: 'http://x',
      // Under its floor of 64 KiB.
      KAFKA_CONSUMER_FETCH_MAX_BYTES: '1024',
    });
    expect(problems).toHaveLength(5);
    expect(problems.find((p) => p.startsWith('KAFKA_CONSUMER_FETCH_MAX_BYTES:'))).toBeDefined();
    expect(problems.find((p) => p.startsWith('KAFKA_BROKERS:'))).toContain(
      'expected host:port (got "localhost")',
    );
    expect(problems.find((p) => p.startsWith('ODDSFLOW_TOPIC_PARTITIONS:'))).toContain('(got "many")');
    expect(problems.find((p) => p.startsWith('ODDSFLOW_LOG_LEVEL:'))).toBeDefined();
    expect(problems.every((p) => !p.includes('\n'))).toBe(true);
  });

  it('rejects an unknown ODDSFLOW_ variable (a typo) but ignores unrelated ones', () => {
    expect(problemsOf({ ODDSFLOW_TOPIC_PREFX: 'x', HOME: '/root' })).toEqual([
      'ODDSFLOW_TOPIC_PREFX: unknown setting',
    ]);
  });

  it('never prints the value of a secret', () => {
    const problems = problemsOf({ REDIS_URL: 'http://user:hunter2@host' });
    expect(problems).toEqual(['REDIS_URL: expected a redis:// or rediss:// URL (value hidden)']);
  });

  it('requires credentials with a SASL mechanism', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'plain' })[0]).toMatch(
      /^KAFKA_SASL_USERNAME: .*needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
    );
  });

  it('reads a JSON config file; the environment wins over it', () => {
    const dir = emptyStackDir();
    const file = path.join(dir, 'oddsflow.json');
    writeFileSync(
      file,
      JSON.stringify({
        KAFKA_BROKERS: 'file:9092',
        ODDSFLOW_TOPIC_PARTITIONS: 3,
        ODDSFLOW_TOPIC_PREFIX: 'f.',
      }),
    );
    const config = loadConfig({
      ODDSFLOW_STACK_DIR: dir,
      ODDSFLOW_CONFIG_FILE: file,
      ODDSFLOW_TOPIC_PREFIX: 'env.',
    });
    expect(config.kafka.brokers).toEqual(['file:9092']);
    expect(config.topics.partitions).toBe(3);
    expect(config.topics.prefix).toBe('env.');
  });

  it('rejects unknown keys in the config file and an unreadable file', () => {
    const dir = emptyStackDir();
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ KAFKA_BROKER: 'x:1' }));
    expect(problemsOf({ ODDSFLOW_CONFIG_FILE: file })).toEqual(['KAFKA_BROKER: unknown setting']);
    expect(problemsOf({ ODDSFLOW_CONFIG_FILE: path.join(dir, 'missing.json') })[0]).toMatch(
      /^ODDSFLOW_CONFIG_FILE: cannot read/,
    );
  });

  it('falls back to the endpoints the local stack wrote', () => {
    const dir = emptyStackDir();
    writeStackEndpoints(dir, {
      kafkaBrokers: ['127.0.0.1:29092'],
      schemaRegistryUrl: 'http://127.0.0.1:28081/apis/ccompat/v7',
      databaseUrl: 'postgres://postgres@127.0.0.1:25432/postgres',
      redisUrl: 'redis://127.0.0.1:26379',
      managed: { kafka: true, registry: true, timescale: true, redis: false },
      writtenAt: new Date().toISOString(),
    });
    const config = loadConfig({ ODDSFLOW_STACK_DIR: dir, REDIS_URL: 'redis://elsewhere:6379' });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:29092']);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:25432/postgres');
    expect(config.redisUrl).toBe('redis://elsewhere:6379');
    expect(config.explicit.kafka).toBe(false);
  });
});
