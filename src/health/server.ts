import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../metrics.js';

export type ReadinessCheck = () => Promise<void>;

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/**
 * /metrics (Prometheus text), /healthz (the process is alive and its event loop answers) and
 * /readyz (every dependency check passes; 503 with the failures otherwise, so an orchestrator
 * stops routing to an instance that cannot reach Kafka or its store).
 */
export async function startHealthServer(options: {
  port: number;
  host?: string;
  metrics: Metrics;
  readiness: Record<string, ReadinessCheck>;
}): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const url = req.url?.split('?')[0];
    if (url === '/metrics') {
      options.metrics.registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { 'content-type': options.metrics.registry.contentType });
          res.end(text);
        })
        .catch((err: Error) => {
          res.writeHead(500).end(err.message);
        });
      return;
    }
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (url === '/readyz') {
      const entries = Object.entries(options.readiness);
      void Promise.all(
        entries.map(async ([name, check]) => {
          try {
            await check();
            return [name, 'ok'] as const;
          } catch (err) {
            return [name, (err as Error).message] as const;
          }
        }),
      ).then((results) => {
        const ok = results.every(([, status]) => status === 'ok');
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: ok ? 'ready' : 'not ready', checks: Object.fromEntries(results) }));
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
