import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { provisionTopics, testConfig, roleEnv } from '../../helpers/stack.js';
import { rawBooks } from '../../helpers/raw-books.js';
import { publishRawBooks } from '../../helpers/publish.js';
import { exited, spawnOddsflow } from '../../helpers/processes.js';
import { freePort, poll } from '../../helpers/ports.js';
import type { Config } from '../../../src/app/config/load.js';

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('a running role serves /healthz, /readyz and /metrics', () => {
  let config: Config;
  beforeAll(async () => {
    config = testConfig();
    const names = await provisionTopics(config);
    // Records to consume, so the groups commit offsets and have a lag to report.
    await publishRawBooks(config, names, rawBooks(50));
  });

  it('reports healthy, ready with its checks, and Prometheus metrics including consumer lag', async () => {
    const port = await freePort();
    const role = spawnOddsflow(
      ['run', '--role', 'processors'],
      // No ODDSFLOW_HTTP_HOST: the default must keep the unauthenticated endpoints on loopback.
      roleEnv(config, { ODDSFLOW_HTTP_PORT: String(port), ODDSFLOW_INSTANCE_ID: 'health-test' }),
    );
    const base = `http://127.0.0.1:${port}`;
    const health = await poll(async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined), 60_000);
    expect(health, role.output()).toBe(true);

    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { kafka: 'ok', consumers: 'ok', holds: 'ok' },
    });
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a !== undefined && !a.internal && a.family === 'IPv4');
    if (external) expect(await accepts(external.address, port)).toBe(false);
    expect(await accepts('127.0.0.1', port)).toBe(true);

    const metrics = await poll(async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return text.includes('oddsflow_consumer_lag{') ? text : undefined;
    }, 60_000);
    expect(metrics).toMatch(/^# TYPE oddsflow_consumer_lag gauge/m);
    expect(metrics).toMatch(/^oddsflow_process_resident_memory_bytes \d+/m);
    expect((await fetch(`${base}/nope`)).status).toBe(404);

    role.kill('SIGTERM');
    expect(await exited(role)).toBe(0);
  });
});
