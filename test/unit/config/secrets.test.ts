import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { endpointsFile, writeStackEndpoints } from '../../../src/core/config/endpoints.js';
import { loadConfig } from '../../../src/app/config/load.js';
import { isLoopbackHost } from '../../../src/core/config/loopback.js';
import { secretSettings } from '../../../src/app/config/settings.js';
import { ConfigError } from '../../../src/core/errors.js';
import { createLogger } from '../../../src/core/logger.js';
import { maskUrl, Redactor, secretValues, withoutPassword } from '../../../src/core/secrets.js';
import { captureLogs } from '../../helpers/logs.js';

const stackDir = () => mkdtempSync(path.join(tmpdir(), 'oddsflow-secrets-'));

function problems(env: Record<string, string>): string {
  try {
    loadConfig({ ODDSFLOW_STACK_DIR: stackDir(), ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.join('\n');
  }
  throw new Error('expected a ConfigError');
}

describe('configuration errors never show a secret', () => {
  it.each([
    ['ODDSFLOW_CONNECTOR_THE_ODDS_API', '{"apiKey": "sk-live-Q7x9Zt2", "sports": [}'],
    ['ODDSFLOW_CONNECTOR_WS_JSON', '{"url": "wss://feed.example/v1?token=sk-live-Q7x9Zt2" '],
    ['ODDSFLOW_CONNECTOR_BETFAIR', 'sk-live-Q7x9Zt2'],
  ])('malformed JSON in %s: says where, not what', (name, text) => {
    const shown = problems({ [name]: text });
    expect(shown).toMatch(new RegExp(`^${name}: not JSON \\(a syntax error`));
    expect(shown).not.toContain('Q7x9Zt2');
  });

  it('a config file that is not JSON: the same', () => {
    const file = path.join(stackDir(), 'config.json');
    writeFileSync(file, '{"ODDS_API_KEY": "sk-live-Q7x9Zt2",,}');
    const shown = problems({ ODDSFLOW_CONFIG_FILE: file });
    expect(shown).toContain('is not JSON (a syntax error at character');
    expect(shown).not.toContain('Q7x9Zt2');
  });
});

describe('SASL PLAIN', () => {
  const sasl = { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p4ss-word' };

  it('is refused without TLS', () => {
    expect(problems({ ...sasl, KAFKA_BROKERS: 'kafka.internal:9092' })).toContain(
      'KAFKA_SASL_MECHANISM: plain sends the password in clear',
    );
  });

  it('is allowed without TLS only when asked and every broker is loopback', () => {
    const loopback = {
      ...sasl,
      KAFKA_SASL_ALLOW_PLAINTEXT: 'true',
      KAFKA_BROKERS: '127.0.0.1:9092,localhost:9093',
    };
    expect(loadConfig({ ODDSFLOW_STACK_DIR: stackDir(), ...loopback }).kafka.sasl?.mechanism).toBe('plain');
    expect(problems({ ...loopback, KAFKA_BROKERS: '127.0.0.1:9092,kafka.internal:9092' })).toContain(
      'allowed only to loopback brokers, not kafka.internal:9092',
    );
  });

  it('is accepted with TLS', () => {
    const config = loadConfig({
      ODDSFLOW_STACK_DIR: stackDir(),
      ...sasl,
      KAFKA_SSL: 'true',
      KAFKA_BROKERS: 'k:9093',
    });
    expect(config.kafka.sasl?.mechanism).toBe('plain');
  });
});

describe('isLoopbackHost', () => {
  it.each(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', 'sim.localhost'])('%s is loopback', (h) =>
    expect(isLoopbackHost(h)).toBe(true),
  );
  it.each(['stream-api.betfair.com', '10.0.0.1', '0.0.0.0', 'localhost.example.com', '::'])(
    '%s is not',
    (h) => expect(isLoopbackHost(h)).toBe(false),
  );
});

describe('URLs and secret values', () => {
  it('maskUrl hides the password and query values; withoutPassword drops the password', () => {
    expect(maskUrl('wss://feed.example/v1/odds?token=abc123&region=eu')).toBe(
      'wss://feed.example/v1/odds?token=***&region=***',
    );
    expect(maskUrl('redis://:s3cret-pw@redis.internal:6379/2', 'secret')).toBe(
      'redis://:***@redis.internal:6379/2',
    );
    expect(maskUrl('postgres://app:pw%2Fx@db:5432/odds?sslmode=require&password=zz', 'secret')).toBe(
      'postgres://app:***@db:5432/odds?sslmode=require&password=***',
    );
    expect(withoutPassword('postgres://app:s3cret-pw@db:5432/odds')).toBe('postgres://app@db:5432/odds');
    expect(withoutPassword('redis://:s3cret-pw@127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('finds the secrets of every kind of setting', () => {
    const values = secretValues(
      {
        ODDS_API_KEY: 'odds-key-1',
        KAFKA_SASL_PASSWORD: 'kafka-pw-2',
        DATABASE_URL: 'postgres://app:db-pw-3@db:5432/odds',
        REDIS_URL: 'redis://:redis-pw-4@r:6379',
        SCHEMA_REGISTRY_URL: 'http://u:reg-pw-5@registry:8081',
        ODDSFLOW_CONNECTOR_WS_JSON: JSON.stringify({
          url: 'wss://feed/x?token=ws-token-6',
          headers: { 'X-Api': 'ws-header-7' },
          subscribe: [{ op: 'auth', apiKey: 'ws-sub-8' }],
          mapping: { books: '$' },
        }),
        ODDSFLOW_CONNECTOR_BETFAIR: { appKey: 'bf-app-9', sessionToken: 'bf-session-10', host: 'stream' },
        ODDSFLOW_REDIS_KEY_PREFIX: 'oddsflow:',
        ODDSFLOW_TOPIC_PREFIX: 'prod.',
      },
      secretSettings,
    );
    expect(values.sort()).toEqual(
      [
        'odds-key-1',
        'kafka-pw-2',
        'db-pw-3',
        'redis-pw-4',
        'reg-pw-5',
        'ws-token-6',
        'ws-header-7',
        'ws-sub-8',
        'bf-app-9',
        'bf-session-10',
      ].sort(),
    );
  });

  it('the logger replaces secret values wherever they appear, escaped or not', () => {
    const secrets = new Redactor();
    secrets.add(['tok"en\\42', 'pass word']);
    const logs = captureLogs();
    const logger = createLogger({ level: 'info', destination: logs.stream, secrets });
    logger.warn({ err: new Error('refused: tok"en\\42') }, 'connect to wss://x/?t=pass%20word failed');
    const [line] = logs.lines();
    expect(JSON.stringify(line)).not.toMatch(/tok|pass word|pass%20word/);
    expect(line!.msg).toBe('connect to wss://x/?t=[redacted] failed');
  });
});

describe('.stack/endpoints.json', () => {
  it('holds no password and is readable by its owner only', () => {
    const dir = stackDir();
    const file = endpointsFile(dir);
    writeFileSync(file, '{}', { mode: 0o644 });
    writeStackEndpoints(dir, {
      kafkaBrokers: ['127.0.0.1:19092'],
      schemaRegistryUrl: 'http://u:reg-pw-5@127.0.0.1:18081/apis/ccompat/v7',
      databaseUrl: 'postgres://app:db-pw-3@db:5432/odds',
      redisUrl: 'redis://:redis-pw-4@127.0.0.1:6379/1',
      managed: { kafka: true, registry: true, timescale: false, redis: false },
      writtenAt: 'now',
    });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/pw/);
    expect(JSON.parse(text)).toMatchObject({
      databaseUrl: 'postgres://app@db:5432/odds',
      redisUrl: 'redis://127.0.0.1:6379/1',
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
