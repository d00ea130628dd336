import { request } from 'node:http';
import { existsSync } from 'node:fs';

/**
 * Whether a Docker engine answers, decided in well under a second: no socket file means no
 * engine (the usual case on CI here), otherwise GET /_ping with a short timeout.
 */
export async function dockerEngineAnswers(timeoutMs = 800): Promise<boolean> {
  const host = process.env.DOCKER_HOST;
  if (host && !host.startsWith('unix://')) return true; // remote engine: let testcontainers decide
  const socketPath = host ? host.slice('unix://'.length) : '/var/run/docker.sock';
  if (!existsSync(socketPath)) return false;
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}
