import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBetfairSimulator, type BetfairSimulator } from '../../../connectors/betfair/simulator.js';
import type { Config } from '../../../src/app/config/load.js';
import { freePort, poll } from '../../helpers/ports.js';
import { exited, spawnOddsflow } from '../../helpers/processes.js';
import { provisionTopics, roleEnv, testConfig } from '../../helpers/stack.js';

interface Readiness {
  status: string;
  checks: Record<string, string>;
}

describe('the connectors role with Betfair: an expired session', () => {
  let config: Config;
  let sim: BetfairSimulator;
  let stateDir: string;
  beforeAll(async () => {
    config = testConfig();
    await provisionTopics(config);
    sim = await startBetfairSimulator({ tls: 'off', markets: 2, updatesPerSecond: 5 });
    stateDir = await mkdtemp(join(tmpdir(), 'oddsflow-betfair-role-'));
  });
  afterAll(async () => {
    await sim?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('is renewed and the role stays ready; one that cannot be renewed makes /readyz fail with one clear line', async () => {
    const port = await freePort();
    const { login: _login, ...betfair } = sim.connectorConfig();
    const role = spawnOddsflow(
      ['run', '--role', 'connectors'],
      roleEnv(config, {
        ODDSFLOW_HTTP_PORT: String(port),
        ODDSFLOW_HTTP_HOST: '127.0.0.1',
        ODDSFLOW_CONNECTORS: 'betfair',
        ODDSFLOW_CONNECTOR_BETFAIR: JSON.stringify(betfair),
        // The credentials by their own variables, as a deployment keeps them out of files.
        BETFAIR_USERNAME: sim.username,
        BETFAIR_PASSWORD: sim.password,
        ODDSFLOW_STATE_DIR: stateDir,
        ODDSFLOW_LOG_LEVEL: 'info',
      }),
    );
    const readyz = async (): Promise<Readiness> => {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      return (await response.json()) as Readiness;
    };
    try {
      const ready = await poll(
        async () => ((await readyz()).status === 'ready' ? true : undefined),
        60_000,
        250,
      );
      expect(ready, role.output()).toBe(true);
      await poll(async () => (sim.stats.subscriptions.length === 1 ? true : undefined), 30_000, 250);

      sim.expireSessions('NO_SESSION');
      const renewed = await poll(
        async () => (sim.stats.subscriptions.length === 2 ? true : undefined),
        30_000,
      );
      expect(renewed, role.output()).toBe(true);
      expect(sim.accountStats.logins).toBe(1);
      expect(sim.stats.subscriptions[1]?.answer).toBe('RESUB_DELTA');
      expect(await readyz()).toEqual({ status: 'ready', checks: { kafka: 'ok', connectors: 'ok' } });

      sim.refuseLogins('ACCOUNT_NOW_LOCKED');
      sim.expireSessions('INVALID_SESSION_INFORMATION');
      const notReady = await poll(
        async () => {
          const body = await readyz();
          return body.status === 'not ready' ? body : undefined;
        },
        30_000,
        250,
      );
      // /readyz gives a reason code; the clear line is in the log.
      expect(notReady, role.output()).toEqual({
        status: 'not ready',
        checks: { kafka: 'ok', connectors: 'PROVIDER_HALTED:betfair' },
      });
      expect(role.output()).toContain(
        'betfair: halted: PROVIDER_AUTH_FAILED: betfair: stream: session refused (INVALID_SESSION_INFORMATION) and could not be renewed: login: ACCOUNT_NOW_LOCKED',
      );
      const errors = role
        .output()
        .split('\n')
        .filter((line) => line.includes('"level":"error"'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('stream stopped, not retrying');
      for (const secret of [sim.password, sim.sessionToken, 'sim-session-1']) {
        expect(role.output()).not.toContain(secret);
      }
    } finally {
      role.kill('SIGTERM');
      expect(await exited(role)).toBe(0);
    }
  });
});
