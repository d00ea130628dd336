import type { PoolClient } from 'pg';

/**
 * What the schema is built with:
 * - `timescale`: hypertables, columnstore compression, retention and a continuous aggregate;
 * - `hypertables`: TimescaleDB without its community (TSL) module (Apache-only builds, or the
 *   module failed to load): hypertables work, while compression, policies and continuous
 *   aggregates are TSL features;
 * - `plain`: ordinary PostgreSQL tables and a plain view.
 */
export type StoreMode = 'timescale' | 'hypertables' | 'plain';

export interface Capabilities {
  mode: StoreMode;
  /** TimescaleDB's version when the extension is there. */
  version: string | null;
  /** The schema of TimescaleDB's functions, so that calls do not depend on search_path. */
  extensionSchema: string | null;
  /** Why the mode is less than `timescale`; null when it is `timescale`. */
  reason: string | null;
}

/** The columnstore API (add_columnstore_policy, enable_columnstore) arrived in 2.18. */
const minimumVersion = [2, 18] as const;

function olderThanMinimum(version: string): boolean {
  const [major = 0, minor = 0] = version.split(/[.-]/).map(Number);
  return major < minimumVersion[0] || (major === minimumVersion[0] && minor < minimumVersion[1]);
}

async function installed(client: PoolClient): Promise<{ version: string; schema: string } | undefined> {
  const { rows } = await client.query<{ version: string; schema: string }>(
    `SELECT extversion AS version, extnamespace::regnamespace::text AS schema
       FROM pg_extension WHERE extname = 'timescaledb'`,
  );
  return rows[0];
}

/** Whether the TSL module is loaded, asked the way 2.x answers it (the function moved schemas in 2.12). */
async function communityModuleLoaded(client: PoolClient): Promise<boolean> {
  const { rows } = await client.query<{ loaded: boolean }>(
    `SELECT CASE
       WHEN to_regproc('_timescaledb_functions.tsl_loaded') IS NOT NULL THEN _timescaledb_functions.tsl_loaded()
       ELSE current_setting('timescaledb.license', true) = 'timescale'
     END AS loaded`,
  );
  return rows[0]?.loaded === true;
}

/**
 * Finds out what the server offers. With `auto`, an available but not yet created extension is
 * created (it needs the server's shared_preload_libraries; when that fails we say why).
 */
export async function detectCapabilities(client: PoolClient, wanted: 'auto' | 'off'): Promise<Capabilities> {
  if (wanted === 'off')
    return {
      mode: 'plain',
      version: null,
      extensionSchema: null,
      reason: 'timescale is off in the configuration',
    };
  let extension = await installed(client);
  if (!extension) {
    const { rowCount } = await client.query(
      `SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`,
    );
    if (!rowCount) {
      return {
        mode: 'plain',
        version: null,
        extensionSchema: null,
        reason: 'the timescaledb extension is not available on this server',
      };
    }
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    } catch (err) {
      return {
        mode: 'plain',
        version: null,
        extensionSchema: null,
        reason: `CREATE EXTENSION timescaledb failed: ${(err as Error).message}`,
      };
    }
    extension = await installed(client);
  }
  if (!extension) {
    return {
      mode: 'plain',
      version: null,
      extensionSchema: null,
      reason: 'the timescaledb extension vanished',
    };
  }
  const { version, schema: extensionSchema } = extension;
  if (olderThanMinimum(version)) {
    return { mode: 'plain', version, extensionSchema, reason: `TimescaleDB ${version} is older than 2.18` };
  }
  if (!(await communityModuleLoaded(client))) {
    return {
      mode: 'hypertables',
      version,
      extensionSchema,
      reason: `TimescaleDB ${version} runs without its community (TSL) module, so compression, retention and continuous aggregates are unavailable`,
    };
  }
  return { mode: 'timescale', version, extensionSchema, reason: null };
}
