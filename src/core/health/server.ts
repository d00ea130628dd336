import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../metrics.js';
import type { Readiness } from './readiness.js';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/**
 * /metrics (Prometheus text), /healthz (the process is alive and its event loop answers) and
 * /readyz (every dependency check passes; 503 with each failing check's reason code otherwise,
 * so an orchestrator stops routing to an instance that cannot reach Kafka or its store). No
 * authentication: it listens on loopback unless told otherwise (ODDSFLOW_HTTP_HOST).
 */
export async function startHealthServer(options: {
  port: number;
  host: string;
  metrics: Metrics;
  readiness: Readiness;
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
        .catch(() => {
          res.writeHead(500).end('metrics unavailable');
        });
      return;
    }
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (url === '/readyz') {
      void options.readiness.status().then(({ ready, checks }) => {
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: ready ? 'ready' : 'not ready', checks }));
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
