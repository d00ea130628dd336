import { describe, expect, it } from 'vitest';
import { migrations } from '../../../../sinks/migrations/versions.js';

const texts = (version: number, mode: 'timescale' | 'hypertables' | 'plain'): string =>
  migrations
    .find((m) => m.version === version)!
    .statements({ schema: 'odds', mode, extensionSchema: 'public' })
    .map((s) => s.text)
    .join('\n');

describe('migrations', () => {
  it('are numbered 1 to 5 in order', () => {
    expect(migrations.map((m) => m.version)).toEqual([1, 2, 3, 4, 5]);
  });

  it('add selection_features as a hypertable with the columnstore segmented by market (plain without TimescaleDB)', () => {
    expect(texts(4, 'plain')).toContain('CREATE TABLE "odds"."selection_features"');
    expect(texts(4, 'plain')).not.toContain('create_hypertable');
    expect(texts(4, 'timescale')).toContain('"public".create_hypertable');
    expect(texts(4, 'timescale')).toContain("timescaledb.segmentby = 'event_id, market_id'");
    // Migration 2 stays what it was released as: it knows nothing of the later table.
    expect(texts(2, 'timescale')).not.toContain('selection_features');
  });

  it('add the trading columns as nullable and the latest-status table, the same in every mode', () => {
    const trading = texts(5, 'plain');
    expect(trading).toContain('ALTER TABLE "odds"."odds_snapshots" ADD COLUMN market_status text');
    expect(trading).toContain('ADD COLUMN source_selection_id text');
    expect(trading).toContain('ADD COLUMN depth jsonb');
    expect(trading).toContain('ALTER TABLE "odds"."market_pricing" ADD COLUMN market_status text');
    expect(trading).toContain('PRIMARY KEY (event_id, market_id, bookmaker, side)');
    expect(trading).not.toMatch(/ADD COLUMN [a-z_]+ [a-z ]+ (NOT NULL|DEFAULT)/u);
    expect(texts(5, 'timescale')).toBe(trading);
  });

  it('create the same tables in every mode, in the given schema', () => {
    const core = texts(1, 'plain');
    for (const table of ['events', 'results', 'odds_snapshots', 'market_pricing']) {
      expect(core).toContain(`CREATE TABLE "odds"."${table}"`);
    }
    expect(texts(1, 'timescale')).toBe(core);
  });

  it('make hypertables only with TimescaleDB, and the columnstore only with its TSL module', () => {
    expect(texts(2, 'plain')).toBe('');
    expect(texts(2, 'hypertables')).toContain('"public".create_hypertable');
    expect(texts(2, 'hypertables')).not.toContain('enable_columnstore');
    expect(texts(2, 'timescale')).toContain("timescaledb.segmentby = 'event_id, market_id'");
  });

  it('make odds_ohlc_1m a continuous aggregate or a plain view with the same output names', () => {
    const cagg = texts(3, 'timescale');
    const view = texts(3, 'plain');
    expect(cagg).toContain('CREATE MATERIALIZED VIEW "odds"."odds_ohlc_1m"');
    expect(cagg).toContain('WITH (timescaledb.continuous');
    expect(view).toContain('CREATE VIEW "odds"."odds_ohlc_1m"');
    const outputs = (sql: string): string[] => [...sql.matchAll(/ AS (\w+)/g)].map((m) => m[1]!);
    expect(outputs(view)).toEqual(['bucket', 'open', 'high', 'low', 'close', 'samples']);
    expect(outputs(cagg)).toEqual(outputs(view));
  });
});
