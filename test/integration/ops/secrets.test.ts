import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBetfairSimulator, type BetfairSimulator } from '../../../connectors/betfair/simulator.js';
import { startOddsApiSimulator, type OddsApiSimulator } from '../../../connectors/the-odds-api/simulator.js';
import {
  simulatorFieldMapping,
  simulatorSubscribe,
  startWsSimulator,
  type WsSimulator,
} from '../../../connectors/ws-json/simulator.js';
import type { Config } from '../../../src/app/config/load.js';
import { packageRoot } from '../../../src/core/config/paths.js';
import { exitedWithin, spawnOddsflow } from '../../helpers/processes.js';
import { provisionTopics, randomId, testConfig, testStack } from '../../helpers/stack.js';

/** A secret that cannot occur by chance, and reads the same raw, JSON-escaped and URL-encoded. */
const plant = (name: string) => `sk-${name}-${randomBytes(12).toString('hex')}`;

const secrets = {
  oddsApiKey: plant('oddsapi'),
  betfairAppKey: plant('bfapp'),
  betfairSession: plant('bfsession'),
  wsToken: plant('wsquery'),
  wsHeader: plant('wsheader'),
  wsSubscribe: plant('wssub'),
  databasePassword: plant('dbpw'),
  redisPassword: plant('redispw'),
  registryPassword: plant('registrypw'),
  saslPassword: plant('saslpw'),
  // Written without quotes, a usual slip: V8's message then quotes the input around the error.
  inMalformedJson: `Zq${randomBytes(3).toString('base64url').replace(/[-_]/g, 'x')}`,
  inConfigFile: `Wk${randomBytes(3).toString('base64url').replace(/[-_]/g, 'y')}`,
};

interface Ran {
  command: string;
  code: number | null | 'timed out';
  output: string;
}

describe('no command prints a secret, in its output or in any log line', () => {
  let sims: { oddsApi: OddsApiSimulator; betfair: BetfairSimulator; ws: WsSimulator };
  let config: Config;
  let env: Record<string, string>;
  let dir: string;
  const ran: Ran[] = [];

  const run = async (
    args: string[],
    extra: Record<string, string> = {},
    stopAfterMs?: number,
  ): Promise<Ran> => {
    const began = Date.now();
    const child = spawnOddsflow(args, { ...env, ...extra });
    if (stopAfterMs !== undefined) setTimeout(() => child.kill('SIGTERM'), stopAfterMs);
    const code = await exitedWithin(child, 90_000);
    const result = {
      command: `${args.join(' ')} ${Object.keys(extra).join(',')}`,
      code,
      output: child.output(),
    };
    ran.push(result);
    process.stderr.write(`[secrets test] ${result.command}: exit ${code} in ${Date.now() - began} ms\n`);
    return result;
  };

  beforeAll(async () => {
    // The providers expect the planted credentials: the connectors run, and log, as in production.
    sims = {
      oddsApi: await startOddsApiSimulator({ apiKey: secrets.oddsApiKey }),
      betfair: await startBetfairSimulator({
        tls: 'off',
        appKey: secrets.betfairAppKey,
        sessionToken: secrets.betfairSession,
        updatesPerSecond: 20,
      }),
      ws: await startWsSimulator({ messagesPerSecond: 20 }),
    };
    config = testConfig();
    await provisionTopics(config);
    dir = mkdtempSync(path.join(tmpdir(), 'oddsflow-secrets-'));
    const stack = testStack();
    const withPassword = (url: string, password: string) => {
      const u = new URL(url);
      if (u.protocol.startsWith('postgres')) u.username ||= 'postgres';
      u.password = password;
      return u.toString();
    };
    const wsUrl = new URL(sims.ws.url);
    wsUrl.searchParams.set('token', secrets.wsToken);
    writeFileSync(
      path.join(dir, 'feed.jsonl'),
      readFileSync(path.join(packageRoot, 'test/fixtures/ws-json/simulator.racing-win.json'), 'utf8').replace(
        /\n\s*/g,
        '',
      ) + '\n',
    );
    env = {
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      SCHEMA_REGISTRY_USERNAME: 'oddsflow',
      SCHEMA_REGISTRY_PASSWORD: secrets.registryPassword,
      DATABASE_URL: withPassword(stack.postgresUrl, secrets.databasePassword),
      REDIS_URL: withPassword(stack.redisUrl, secrets.redisPassword),
      ODDSFLOW_TOPIC_PREFIX: config.topics.prefix,
      ODDSFLOW_DB_SCHEMA: randomId('secrets').replace('-', '_'),
      ODDSFLOW_STACK_DIR: dir,
      ODDSFLOW_STATE_DIR: path.join(dir, 'state'),
      ODDSFLOW_HTTP_PORT: '0',
      ODDSFLOW_LOG_LEVEL: 'debug',
      ODDSFLOW_CONNECTORS: 'the-odds-api,betfair,ws-json',
      ODDSFLOW_CONNECTOR_THE_ODDS_API: JSON.stringify({
        baseUrl: sims.oddsApi.url,
        sports: [{ sport: 'basketball_nba', regions: ['us'], markets: ['h2h'], pollIntervalMs: 1_000 }],
      }),
      ODDSFLOW_CONNECTOR_BETFAIR: JSON.stringify({ host: '127.0.0.1', port: sims.betfair.port, tls: false }),
      ODDSFLOW_CONNECTOR_WS_JSON: JSON.stringify({
        url: wsUrl.toString(),
        headers: { authorization: `Bearer ${secrets.wsHeader}` },
        subscribe: [...simulatorSubscribe, { op: 'auth', apiKey: secrets.wsSubscribe }],
        mapping: simulatorFieldMapping,
      }),
      ODDS_API_KEY: secrets.oddsApiKey,
      BETFAIR_APP_KEY: secrets.betfairAppKey,
      BETFAIR_SESSION_TOKEN: secrets.betfairSession,
    };
  }, 60_000);

  afterAll(async () => {
    await Promise.all([sims?.oddsApi.stop(), sims?.betfair.stop(), sims?.ws.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every command with secrets planted in every setting', async () => {
    await run(['run', '--role', 'connectors'], {}, 8_000);
    // Refused credentials: the failure paths log what they know.
    const refused = plant('refused');
    await run(
      ['run', '--role', 'connectors'],
      { ODDS_API_KEY: refused, ODDSFLOW_CONNECTORS: 'the-odds-api' },
      5_000,
    );
    // A session refused at start with no login configured: the role says why and exits.
    const refusedSession = await run(['run', '--role', 'connectors'], {
      BETFAIR_SESSION_TOKEN: refused,
      ODDSFLOW_CONNECTORS: 'betfair',
    });
    await run(['run', '--role', 'processors'], {}, 6_000);
    await run(['run', '--role', 'sinks'], {}, 8_000);
    await run(['run', '--role', 'all'], {}, 8_000);
    const status = await run(['stack', 'status']);
    await run(['stack', 'status', '--json']);
    await run(['topics', 'create']);
    await run(['schemas', 'register']);
    await run(['db', 'migrate']);
    await run(['lag']);
    await run(['lag', '--json']);
    await run(['dlq', 'summary']);
    await run(['tail', 'odds.raw', '--from-beginning', '--limit', '5']);
    await run(['replay', '--provider', 'ws-json', '--file', path.join(dir, 'feed.jsonl')]);
    await run(['transform', '--provider', 'ws-json', '--file', path.join(dir, 'feed.jsonl')]);
    await run(['export-features', '--out', path.join(dir, 'features.csv')]);
    await run(['--help']);
    // Failures: each reported in a line that must name the problem, not the value.
    const sasl = {
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: secrets.saslPassword,
    };
    await run(['topics', 'create'], sasl);
    await run(['lag'], { ...sasl, KAFKA_SASL_MECHANISM: 'plain' });
    const malformed = await run(['lag'], {
      ODDSFLOW_CONNECTOR_BETFAIR: `{"appKey": ${secrets.inMalformedJson}}`,
    });
    writeFileSync(path.join(dir, 'config.json'), `{"ODDS_API_KEY": ${secrets.inConfigFile}}`);
    const configFile = await run(['lag'], { ODDSFLOW_CONFIG_FILE: path.join(dir, 'config.json') });

    const planted = Object.entries(secrets);
    const leaks = ran.flatMap((r) =>
      planted.filter(([, secret]) => r.output.includes(secret)).map(([name]) => `${r.command}: ${name}`),
    );
    expect(leaks).toEqual([]);
    // The commands did run: roles started and logged at debug, failures said why.
    expect(ran.find((r) => r.command.startsWith('run --role connectors'))?.output).toContain(
      'connectors started',
    );
    expect(ran.find((r) => r.command.startsWith('run --role sinks'))?.output).toContain('running sinks');
    expect(refusedSession.code).toBe(1);
    expect(refusedSession.output).toContain('no login is configured');
    expect(malformed.code).toBe(2);
    expect(malformed.output).toContain('ODDSFLOW_CONNECTOR_BETFAIR: not JSON (a syntax error');
    expect(configFile.output).toContain('is not JSON');
    expect(status.output).toContain(':***@');
  }, 600_000);
});
