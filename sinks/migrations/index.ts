import { escapeIdentifier, type Pool, type PoolClient } from 'pg';
import type { Logger } from '../../src/core/logger.js';
import { checkout, storeErrorFromPg } from '../timescale/pg-errors.js';
import { detectCapabilities, type Capabilities, type StoreMode } from './capabilities.js';
import { reconcilePolicies, type PolicySettings } from './policies.js';
import { qualified } from './sql.js';
import { migrations, type MigrationTarget } from './versions.js';

export type { StoreMode } from './capabilities.js';
export { intervalSchema, schemaNameSchema } from './sql.js';

export interface MigrateOptions extends PolicySettings {
  schema: string;
  /** auto: use TimescaleDB when the server has it; off: plain tables even when it does. */
  timescale: 'auto' | 'off';
  logger: Logger;
}

export interface MigrateResult {
  mode: StoreMode;
  /** Versions applied by this run (empty when the schema was up to date). */
  applied: number[];
}

const modeRank: Record<StoreMode, number> = { plain: 0, hypertables: 1, timescale: 2 };

const builtWith: Record<StoreMode, string> = {
  plain: 'plain tables and a plain odds_ohlc_1m view',
  hypertables: 'hypertables without compression or retention, and a plain odds_ohlc_1m view',
  timescale: 'hypertables, compression, retention and a continuous aggregate',
};

/**
 * A transaction holding the schema's migration lock: concurrent runs (several sink instances
 * starting at once) queue behind it. A transaction-level lock, because a session-level one would
 * outlive a dropped client on the embedded server, where every client shares one session.
 */
async function locked<T>(client: PoolClient, schema: string, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`oddsflow.migrate.${schema}`]);
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function recorded(client: PoolClient, schema: string): Promise<Map<number, StoreMode>> {
  const { rows } = await client.query<{ version: number; mode: StoreMode }>(
    `SELECT version, mode FROM ${qualified(schema, 'schema_migrations')}`,
  );
  return new Map(rows.map((row) => [row.version, row.mode]));
}

/** One line about what the schema gets, a warning when it is less than TimescaleDB offers. */
function report(
  log: Logger,
  options: MigrateOptions,
  builtAs: StoreMode | undefined,
  found: Capabilities,
): void {
  const { schema } = options;
  if (options.timescale === 'off') {
    log.info(`timescale is off: ${schema} uses ${builtWith.plain}`);
  } else if (builtAs !== undefined && modeRank[builtAs] < modeRank[found.mode]) {
    log.warn(
      { mode: builtAs, available: found.mode },
      `schema ${schema} was built with ${builtWith[builtAs]} and stays so (see docs/queries.md)`,
    );
  } else if (found.mode !== 'timescale') {
    log.warn(
      { mode: found.mode, reason: found.reason },
      `hypertable features are off for ${schema} (${found.reason}): ${builtWith[found.mode]}`,
    );
  }
}

/**
 * Brings `schema` up to date: each pending migration in its own transaction, recorded in
 * schema_migrations with the mode it was built in, so running it again is a no-op. The mode of a
 * schema is decided by its first run and kept: tables created plain stay plain even if
 * TimescaleDB appears later, which a warning says. Policies follow the settings on every run.
 */
export async function migrate(pool: Pool, options: MigrateOptions): Promise<MigrateResult> {
  const { schema } = options;
  const log = options.logger.child({ component: 'migrations', name: schema });
  const { client, release } = await checkout(pool, `migrate ${schema}`);
  let broken: Error | undefined;
  try {
    const before = await locked(client, schema, async () => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${escapeIdentifier(schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${qualified(schema, 'schema_migrations')} (
        version integer PRIMARY KEY,
        name text NOT NULL,
        mode text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      return recorded(client, schema);
    });
    const found = await detectCapabilities(client, options.timescale);
    const builtAs = before.get(2);
    report(log, options, builtAs, found);
    const mode = builtAs ?? found.mode;
    const target: MigrationTarget = { schema, mode, extensionSchema: found.extensionSchema ?? 'public' };

    const applied: number[] = [];
    for (const migration of migrations) {
      if (before.has(migration.version)) continue;
      const done = await locked(client, schema, async () => {
        // Another instance may have applied it while this one waited for the lock.
        if ((await recorded(client, schema)).has(migration.version)) return false;
        for (const statement of migration.statements(target))
          await client.query(statement.text, statement.values);
        await client.query(
          `INSERT INTO ${qualified(schema, 'schema_migrations')} (version, name, mode) VALUES ($1, $2, $3)`,
          [migration.version, migration.name, mode],
        );
        return true;
      });
      if (!done) continue;
      applied.push(migration.version);
      log.info(
        { version: migration.version, mode },
        `migration ${migration.version} (${migration.name}) applied`,
      );
    }
    if (mode === 'timescale' && found.mode === 'timescale') {
      await locked(client, schema, () =>
        reconcilePolicies(client, schema, options, target.extensionSchema, log),
      );
    }
    return { mode, applied };
  } catch (err) {
    broken = err as Error;
    throw storeErrorFromPg(err, `migrate ${schema}`);
  } finally {
    // A client that failed mid-way may be unusable: the pool closes it rather than reuse it.
    release(broken);
  }
}
