import { escapeIdentifier } from 'pg';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { StoreError } from '../../../src/core/errors.js';
import { createLogger } from '../../../src/core/logger.js';
import { createMetrics } from '../../../src/core/metrics.js';
import type { SinkRecord } from '../../../sinks/contract.js';
import { timescaleSink } from '../../../sinks/timescale/index.js';
import { captureLogs } from '../../helpers/logs.js';
import { testStack } from '../../helpers/stack.js';
import { book, pricing, record, t0 } from '../../helpers/records.js';
import { countRows, scenario, scenarioCounts, usePool, useSchema } from './pg-fixture.js';

const stack = testStack();

// The time series appended by COPY (issue 14), on both servers the sink meets: the machine's
// PostgreSQL 15 with plain tables and the embedded TimescaleDB with hypertables, where the wire
// server hands COPY data to PGlite.
describe.each([
  { server: 'PostgreSQL 15, plain tables', url: stack.postgresUrl, timescale: 'off' as const },
  { server: 'embedded TimescaleDB, hypertables', url: stack.timescaleUrl, timescale: 'auto' as const },
])('timescale sink by COPY on $server', ({ url, timescale }) => {
  const pool = usePool(url);
  const [copied, inserted, mixed, refused, compressed, altered] = [
    useSchema(pool),
    useSchema(pool),
    useSchema(pool),
    useSchema(pool),
    useSchema(pool),
    useSchema(pool),
  ];

  function sink(schema: string, overrides: z.input<typeof timescaleSink.configSchema> = {}) {
    const logs = captureLogs();
    const config = timescaleSink.configSchema.parse({
      schema,
      timescale,
      compressAfter: null,
      retention: null,
      ...overrides,
    });
    const logger = createLogger({ level: 'debug', destination: logs.stream });
    const metrics = createMetrics();
    const s = timescaleSink.create(config, { pool, logger, metrics, clock: Date });
    const series = () => logs.lines().flatMap((l) => (l.msg === 'batch written' ? [l.series] : []));
    const refusals = () =>
      logs.lines().flatMap((l) => (l.level === 'warn' && l.msg.startsWith('COPY refused') ? [l.reason] : []));
    const counted = async (): Promise<Record<string, number>> =>
      Object.fromEntries(
        (await metrics.sinkSeriesWrites.get()).values.map((v) => [String(v.labels.method), v.value]),
      );
    return { sink: s, series, counted, refusals };
  }

  const table = async (schema: string, name: string, order: string): Promise<unknown[]> =>
    (
      await pool.query<Record<string, unknown>>(
        `SELECT * FROM ${escapeIdentifier(schema)}.${name} ORDER BY ${order}`,
      )
    ).rows;

  // Values COPY's text format would have to escape (tab, newline, backslash), nulls, JSON.
  const awkward = (): SinkRecord[] => [
    record('oddsNormalized', book({ eventId: 'tab\there\\back\nline', eventTime: t0 + 7 })),
    record('oddsPricing', pricing({ eventId: 'carriage\rreturn', overround: 0.125 })),
  ];

  it('stores exactly the rows the upserts store, and says it copied them', async () => {
    const byCopy = sink(copied);
    const byInsert = sink(inserted, { copy: false });
    await byCopy.sink.start();
    await byInsert.sink.start();
    const batch = [...scenario(), ...awkward()];
    await byCopy.sink.writeBatch(batch);
    await byInsert.sink.writeBatch(batch);
    expect(byCopy.series()).toEqual(['copied']);
    expect(await byCopy.counted()).toEqual({ copied: 1 });
    expect(byInsert.series()).toEqual(['upserted']);
    for (const [name, order] of [
      ['odds_snapshots', 'event_id, market_id, bookmaker, selection_id, side, time'],
      ['market_pricing', 'event_id, market_id, bookmaker, side, selection_id, time'],
      ['events', 'event_id'],
      ['market_status', 'event_id, market_id, bookmaker, side'],
    ] as const) {
      const rows = await table(copied, name, order);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows).toEqual(await table(inserted, name, order));
    }
    expect(await table(copied, 'odds_snapshots', 'time')).toContainEqual(
      expect.objectContaining({ event_id: 'tab\there\\back\nline' }),
    );
  });

  it('takes a replayed batch back to the upserts: no row twice, none rewritten', async () => {
    const { sink: s, series, counted } = sink(copied, { migrate: false });
    const before = await countRows(pool, copied);
    const versions = async () =>
      (
        await pool.query<{ v: string }>(
          `SELECT xmin::text AS v FROM ${escapeIdentifier(copied)}.odds_snapshots ORDER BY 1`,
        )
      ).rows;
    const stored = await versions();
    await s.writeBatch([...scenario(), ...awkward()]);
    expect(series()).toEqual(['upserted']);
    expect(await counted()).toEqual({ upserted: 1 });
    expect(await countRows(pool, copied)).toEqual(before);
    expect(await versions()).toEqual(stored);
  });

  it('writes a batch of new and replayed rows in full, a corrected price replacing the stored one', async () => {
    const { sink: s, series } = sink(mixed);
    await s.start();
    await s.writeBatch(scenario());
    const [first] = scenario();
    const corrected = record('oddsNormalized', {
      ...(first!.value as SinkRecord<'oddsNormalized'>['value']),
      selections: (first!.value as SinkRecord<'oddsNormalized'>['value']).selections.map((sel) => ({
        ...sel,
        decimalOdds: 9.5,
      })),
    });
    const fresh = record('oddsNormalized', book({ eventTime: t0 + 999_000 }));
    await s.writeBatch([corrected, fresh]);
    expect(series()).toEqual(['copied', 'upserted']);
    const counts = await countRows(pool, mixed);
    expect(counts.odds_snapshots).toBe(scenarioCounts.odds_snapshots + 2);
    const { rows } = await pool.query<{ odds: number }>(
      `SELECT odds FROM ${escapeIdentifier(mixed)}.odds_snapshots WHERE time = $1 AND bookmaker = 'betfair' ORDER BY selection_id`,
      [new Date((first!.value as { eventTime: number }).eventTime)],
    );
    expect(rows.map((r) => r.odds)).toEqual([9.5, 9.5]);
  });

  it('names the record whose row the server refuses in a COPY, and writes none of the batch', async () => {
    const { sink: s } = sink(refused);
    await s.start();
    const good = record('oddsNormalized', book({ eventId: 'good-event', eventTime: t0 + 1 }));
    const bad = record('oddsPricing', pricing({ eventId: 'good-event', bookmaker: 'bad\u0000book' }));
    const err: unknown = await s.writeBatch([good, bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'DATABASE_QUERY_FAILED', retriable: false });
    expect((err as Error).message).toContain(`record oddsPricing[0]@${bad.offset} refused`);
    expect(await countRows(pool, refused)).toMatchObject({ events: 0, odds_snapshots: 0, market_pricing: 0 });
  });

  it('stops a COPY at a value its binary form cannot carry and lets the server refuse it in the upsert, naming the record', async () => {
    const { sink: s } = sink(refused, { migrate: false });
    const good = record('oddsNormalized', book({ eventId: 'dated-event', eventTime: t0 + 3 }));
    const base = pricing({ eventId: 'dated-event' });
    const [first, ...others] = base.crossBook.selections;
    // A quote time beyond what a JavaScript Date can hold: an Invalid Date in the row.
    const undated = record('oddsPricing', {
      ...base,
      crossBook: { ...base.crossBook, selections: [{ ...first!, quoteTime: 1e20 }, ...others] },
    });
    const err: unknown = await s.writeBatch([good, undated]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'DATABASE_QUERY_FAILED', retriable: false });
    expect((err as Error).message).toContain(`record oddsPricing[0]@${undated.offset} refused`);
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${escapeIdentifier(refused)}.odds_snapshots WHERE event_id = 'dated-event'`,
    );
    expect(rows).toEqual([{ n: 0 }]);
    // The connection is usable after the CopyFail: the next batch is written.
    await s.writeBatch([good]);
    const after = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${escapeIdentifier(refused)}.odds_snapshots WHERE event_id = 'dated-event'`,
    );
    expect(after.rows[0]!.n).toBeGreaterThan(0);
  });

  // TimescaleDB does not alter a column's type on a hypertable with a columnstore: plain tables only.
  it.runIf(timescale === 'off')(
    'upserts the time series when a column differs from the migrations’ type, dead-letters nothing, and says why once',
    async () => {
      const { sink: s, series, refusals } = sink(altered);
      await s.start();
      const t = (name: string) => `${escapeIdentifier(altered)}.${name}`;
      // Each answers the binary format differently: 08P01, 22P03.
      await pool.query(`ALTER TABLE ${t('odds_snapshots')} ALTER COLUMN size TYPE numeric`);
      await pool.query(`ALTER TABLE ${t('market_pricing')} ALTER COLUMN overround TYPE real`);
      await s.writeBatch(scenario());
      await s.writeBatch([record('oddsNormalized', book({ eventTime: t0 + 999_000 }))]);
      await s.writeBatch([record('oddsPricing', pricing({ eventTime: t0 + 999_000 }))]);
      expect(series()).toEqual(['upserted', 'upserted', 'upserted']);
      expect(await countRows(pool, altered)).toEqual({
        ...scenarioCounts,
        odds_snapshots: scenarioCounts.odds_snapshots + 2,
        market_pricing: scenarioCounts.market_pricing + 2,
      });
      // The first COPY of each batch fails: odds_snapshots' (twice, logged once), then market_pricing's.
      expect(refusals()).toEqual([
        expect.stringMatching(/^08P01: /),
        expect.stringMatching(/^22P03: incorrect binary data format/),
      ]);
    },
  );

  it.runIf(timescale === 'auto')(
    'copies new rows into compressed chunks and takes a replay there back to the upserts',
    async () => {
      const { sink: s, series } = sink(compressed);
      await s.start();
      await s.writeBatch(scenario());
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(compress_chunk(c))::int AS n FROM show_chunks($1::regclass) c`,
        [`${escapeIdentifier(compressed)}.odds_snapshots`],
      );
      expect(rows[0]!.n).toBeGreaterThan(0);
      await s.writeBatch(scenario());
      expect(await countRows(pool, compressed)).toEqual(scenarioCounts);
      // Between two stored instants: into the same (compressed) chunk.
      await s.writeBatch([record('oddsNormalized', book({ eventTime: t0 + 10_000 }))]);
      expect(series()).toEqual(['copied', 'upserted', 'copied']);
      expect((await countRows(pool, compressed)).odds_snapshots).toBe(scenarioCounts.odds_snapshots + 2);
    },
  );
});
