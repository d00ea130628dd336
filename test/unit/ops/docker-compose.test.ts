import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot } from '../../../src/core/config/paths.js';

interface Service {
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  network_mode?: string;
}
const compose = parse(readFileSync(path.join(packageRoot, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};
const services = Object.entries(compose.services);

/**
 * Compose's interpolation (https://docs.docker.com/reference/compose-file/interpolation/) with the
 * given environment: `${VAR:-default}`, `${VAR:?error}` (fails without VAR), `${VAR}`, `$$`.
 */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\$|\$\{(\w+)(?::?([-?])([^}]*))?\}/g,
    (match, name?: string, op?: string, arg?: string) => {
      if (match === '$$') return '$';
      const value = env[name!];
      if (value !== undefined && value !== '') return value;
      if (op === '?') throw new Error(`${name}: ${arg}`);
      return op === '-' ? arg! : '';
    },
  );
}

const env = { POSTGRES_PASSWORD: 'pg-secret', REDIS_PASSWORD: 'redis-secret' };

describe('docker-compose.yml', () => {
  it('publishes every port on the loopback interface unless HOST_BIND says otherwise', () => {
    const published = services.flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, p] as const));
    expect(published.length).toBeGreaterThan(0);
    for (const [name, port] of published) {
      expect(interpolate(port, env), name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
      expect(interpolate(port, { ...env, HOST_BIND: '10.0.0.5' }), name).toMatch(/^10\.0\.0\.5:\d+:\d+$/);
    }
  });

  it('takes every password from the environment, with no default that would work', () => {
    const text = readFileSync(path.join(packageRoot, 'docker-compose.yml'), 'utf8');
    expect(() => interpolate(text, {})).toThrow(/POSTGRES_PASSWORD|REDIS_PASSWORD/);
    expect(() => interpolate(text, { POSTGRES_PASSWORD: 'x' })).toThrow(/REDIS_PASSWORD/);
    expect(() => interpolate(text, { REDIS_PASSWORD: 'x' })).toThrow(/POSTGRES_PASSWORD/);
    const timescale = compose.services.timescaledb!.environment!;
    expect(interpolate(String(timescale.POSTGRES_PASSWORD), env)).toBe('pg-secret');
    // The roles reach the stores with those passwords.
    for (const role of ['connectors', 'processors', 'sinks']) {
      const roleEnv = compose.services[role]!.environment!;
      expect(new URL(interpolate(String(roleEnv.DATABASE_URL), env)).password, role).toBe('pg-secret');
      expect(new URL(interpolate(String(roleEnv.REDIS_URL), env)).password, role).toBe('redis-secret');
    }
  });

  it('runs Redis with requirepass from the environment, protected mode on, the password off its command line', () => {
    const redis = compose.services.redis!;
    const command = interpolate(redis.command!.join(' '), env);
    expect(command).toContain('requirepass');
    expect(command).toContain('$REDIS_PASSWORD');
    expect(command).not.toContain('redis-secret');
    expect(command).not.toMatch(/protected-mode/);
    expect(interpolate(String(redis.environment!.REDISCLI_AUTH), env)).toBe('redis-secret');
  });

  it('keeps the Betfair simulator in clear only over loopback: the connectors share its network namespace', () => {
    const simulate = compose.services.simulators!.command!;
    expect(simulate).toContain('--betfair-tls=off');
    expect(simulate.some((arg) => arg.startsWith('--host') || arg.startsWith('--advertised-host'))).toBe(
      false,
    );
    expect(compose.services.connectors!.network_mode).toBe('service:simulators');
  });

  it('lets the roles listen on every interface inside their containers only, behind loopback-published ports', () => {
    for (const role of ['connectors', 'processors', 'sinks']) {
      expect(compose.services[role]!.environment!.ODDSFLOW_HTTP_HOST, role).toBe('0.0.0.0');
    }
  });
});
