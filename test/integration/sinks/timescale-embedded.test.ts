import { escapeIdentifier } from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/logger.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { migrate } from '../../../sinks/migrations/index.js';
import { timescaleSink } from '../../../sinks/timescale/index.js';
import { captureLogs } from '../../helpers/logs.js';
import { silentLogger, testStack } from '../../helpers/stack.js';
import { book, record } from '../../helpers/records.js';
import {
  checkDocumentedQueries,
  columnsOf,
  countRows,
  ohlcColumns,
  scenario,
  scenarioCounts,
  usePool,
  useSchema,
} from './pg-fixture.js';
import { selectionExtras } from '../../helpers/record-defaults.js';

// The embedded TimescaleDB serves one connection at a time: every test here shares this pool.
const pool = usePool(testStack().timescaleUrl);
const schema = useSchema(pool);
const settings = { schema, timescale: 'auto', compressAfter: '7 days', retention: '2 years' } as const;

async function jobs(): Promise<string[]> {
  const { rows } = await pool.query<{ job: string }>(
    `SELECT hypertable_name || ' ' || proc_name || ' ' || coalesce(config->>'compress_after', config->>'drop_after', config->>'start_offset') AS job
       FROM timescaledb_information.jobs WHERE hypertable_schema = $1 ORDER BY 1`,
    [schema],
  );
  return rows.map((r) => r.job);
}

beforeAll(async () => {
  const { rows } = await pool.query<{ loaded: boolean }>(
    'SELECT _timescaledb_functions.tsl_loaded() AS loaded',
  );
  if (!rows[0]?.loaded) {
    throw new Error(
      'the TimescaleDB under test runs without its TSL module (the embedded server reopened from its data ' +
        "directory does not load it; LOAD 'timescaledb-tsl-<version>' after start fixes it): the hypertable path cannot be tested",
    );
  }
});

describe('timescale sink on TimescaleDB (embedded 2.23)', () => {
  it('migrates to hypertables with compression, retention and a continuous aggregate, without a warning', async () => {
    const logs = captureLogs();
    const logger = createLogger({ level: 'info', destination: logs.stream });
    expect(await migrate(pool, { ...settings, logger })).toEqual({
      mode: 'timescale',
      applied: [1, 2, 3, 4, 5],
    });
    expect(await migrate(pool, { ...settings, logger })).toEqual({ mode: 'timescale', applied: [] });
    expect(logs.lines().filter((l) => l.level === 'warn')).toEqual([]);

    const hypertables = await pool.query(
      `SELECT hypertable_name, compression_enabled FROM timescaledb_information.hypertables
        WHERE hypertable_schema = $1 ORDER BY 1`,
      [schema],
    );
    expect(hypertables.rows).toEqual([
      { hypertable_name: 'market_pricing', compression_enabled: true },
      { hypertable_name: 'odds_snapshots', compression_enabled: true },
      { hypertable_name: 'selection_features', compression_enabled: true },
    ]);
    const columnstore = await pool.query(
      `SELECT hypertable::text AS hypertable, segmentby, orderby FROM timescaledb_information.hypertable_columnstore_settings
        WHERE hypertable::text LIKE $1 ORDER BY 1`,
      [`${schema}.%`],
    );
    expect(columnstore.rows).toEqual([
      { hypertable: `${schema}.market_pricing`, segmentby: 'event_id,market_id', orderby: '"time" DESC' },
      { hypertable: `${schema}.odds_snapshots`, segmentby: 'event_id,market_id', orderby: '"time" DESC' },
      { hypertable: `${schema}.selection_features`, segmentby: 'event_id,market_id', orderby: '"time" DESC' },
    ]);
    expect(await jobs()).toEqual([
      'market_pricing policy_compression 7 days',
      'market_pricing policy_retention 2 years',
      'odds_ohlc_1m policy_refresh_continuous_aggregate 3 days',
      'odds_snapshots policy_compression 7 days',
      'odds_snapshots policy_retention 2 years',
      'selection_features policy_compression 7 days',
      'selection_features policy_retention 2 years',
    ]);
    const aggregates = await pool.query(
      `SELECT view_name, materialized_only FROM timescaledb_information.continuous_aggregates WHERE view_schema = $1`,
      [schema],
    );
    expect(aggregates.rows).toEqual([{ view_name: 'odds_ohlc_1m', materialized_only: false }]);
    expect(await columnsOf(pool, schema, 'odds_ohlc_1m')).toEqual(ohlcColumns);
  });

  it('follows changed policy settings on the next run', async () => {
    await migrate(pool, { ...settings, compressAfter: '3 days', retention: null, logger: silentLogger });
    expect(await jobs()).toEqual([
      'market_pricing policy_compression 3 days',
      'odds_ohlc_1m policy_refresh_continuous_aggregate 3 days',
      'odds_snapshots policy_compression 3 days',
      'selection_features policy_compression 3 days',
    ]);
    await migrate(pool, { ...settings, logger: silentLogger });
    expect(await jobs()).toHaveLength(7);
  });

  it('writes a batch once however often it is written, also into compressed chunks', async () => {
    const metrics = createMetrics();
    const config = timescaleSink.configSchema.parse({ schema, migrate: false });
    const sink = timescaleSink.create(config, { pool, logger: silentLogger, metrics, clock: Date });
    await sink.start();
    const batch = scenario();
    await sink.writeBatch(batch);
    await sink.writeBatch(batch);
    expect(await countRows(pool, schema)).toEqual(scenarioCounts);

    const compressed = await pool.query<{ n: number }>(
      `SELECT count(compress_chunk(c))::int AS n FROM show_chunks($1::regclass) c`,
      [`${escapeIdentifier(schema)}.odds_snapshots`],
    );
    expect(compressed.rows[0]!.n).toBeGreaterThan(0);
    await sink.writeBatch(batch);
    expect(await countRows(pool, schema)).toEqual(scenarioCounts);

    // A corrected book at the same instant updates the compressed row instead of adding one.
    const [first] = batch;
    const corrected = record('oddsNormalized', {
      ...book(),
      eventTime: (first!.value as { eventTime: number }).eventTime,
      selections: [
        {
          selectionId: 'sel-a',
          name: null,
          decimalOdds: 7,
          point: null,
          size: 1,
          status: 'ACTIVE',
          ...selectionExtras(),
        },
      ],
    });
    await sink.writeBatch([corrected]);
    expect(await countRows(pool, schema)).toEqual(scenarioCounts);
    const { rows } = await pool.query(
      `SELECT odds FROM ${escapeIdentifier(schema)}.odds_snapshots
        WHERE bookmaker = 'betfair' AND selection_id = 'sel-a' ORDER BY time LIMIT 1`,
    );
    expect(rows).toEqual([{ odds: 7 }]);
    // Back to the scenario for the query test.
    await sink.writeBatch(batch);
  });

  it('answers the documented queries, live and after the aggregate is materialised', async () => {
    await checkDocumentedQueries(pool, schema);
    await pool.query(
      `CALL refresh_continuous_aggregate($1::regclass, NULL::timestamptz, NULL::timestamptz)`,
      [`${escapeIdentifier(schema)}.odds_ohlc_1m`],
    );
    await checkDocumentedQueries(pool, schema);
  });
});
