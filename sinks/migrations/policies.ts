import type { PoolClient } from 'pg';
import type { Logger } from '../../src/core/logger.js';
import { timeSeriesTables, timescaleFunction } from './versions.js';
import { qualified } from './sql.js';

export interface PolicySettings {
  /** Age after which chunks move to the columnstore; null: no compression policy. */
  compressAfter: string | null;
  /** Age after which chunks are dropped; null: keep everything. */
  retention: string | null;
}

interface PolicyKind {
  label: string;
  proc: string;
  configKey: string;
  /** add/remove_columnstore_policy are procedures since 2.18; the retention ones are functions. */
  invoke: 'CALL' | 'SELECT';
  add: string;
  remove: string;
  /** The add function's name for the interval argument. */
  intervalArg: string;
}

const kinds: Record<keyof PolicySettings, PolicyKind> = {
  compressAfter: {
    label: 'columnstore',
    proc: 'policy_compression',
    configKey: 'compress_after',
    invoke: 'CALL',
    add: 'add_columnstore_policy',
    remove: 'remove_columnstore_policy',
    intervalArg: 'after',
  },
  retention: {
    label: 'retention',
    proc: 'policy_retention',
    configKey: 'drop_after',
    invoke: 'SELECT',
    add: 'add_retention_policy',
    remove: 'remove_retention_policy',
    intervalArg: 'drop_after',
  },
};

/**
 * Policies follow the configuration on every run (unlike migrations, which run once): a changed
 * interval replaces the job, a null removes it. TimescaleDB keeps one policy of a kind per
 * hypertable and `if_not_exists` would silently keep an old interval, hence remove-then-add.
 */
export async function reconcilePolicies(
  client: PoolClient,
  schema: string,
  settings: PolicySettings,
  extensionSchema: string,
  log: Logger,
): Promise<void> {
  const ts = (name: string): string => timescaleFunction(extensionSchema, name);
  for (const table of timeSeriesTables) {
    const relation = qualified(schema, table);
    for (const key of Object.keys(kinds) as (keyof PolicySettings)[]) {
      const kind = kinds[key];
      const wanted = settings[key];
      const { rows } = await client.query<{ same: boolean }>(
        `SELECT (config->>$4)::interval = $5::interval AS same
           FROM timescaledb_information.jobs
          WHERE proc_name = $1 AND hypertable_schema = $2 AND hypertable_name = $3`,
        [kind.proc, schema, table, kind.configKey, wanted],
      );
      const existing = rows[0];
      if (existing?.same === true) continue;
      if (existing) {
        await client.query(`${kind.invoke} ${ts(kind.remove)}($1::regclass, if_exists => true)`, [relation]);
      }
      if (wanted !== null) {
        await client.query(
          `${kind.invoke} ${ts(kind.add)}($1::regclass, ${kind.intervalArg} => $2::interval)`,
          [relation, wanted],
        );
      }
      if (existing || wanted !== null) {
        log.info({ table, policy: kind.label, after: wanted }, `${kind.label} policy of ${table} set`);
      }
    }
  }
}
