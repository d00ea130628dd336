import type { Command } from 'commander';
import { migrate } from '../../../../sinks/migrations/index.js';
import { timescaleSink } from '../../../../sinks/timescale/index.js';
import { componentLogger } from '../../../core/logger.js';
import { createDatabasePool } from '../../roles/stores.js';
import { runCommand, say } from '../context.js';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('the PostgreSQL/TimescaleDB schema of the sinks');
  db.command('migrate')
    .description(
      'apply pending migrations (idempotent): hypertables, compression and retention policies and the 1-minute OHLC aggregate with TimescaleDB, plain tables and a view without',
    )
    .action(() =>
      runCommand(async ({ config, logger }) => {
        const pool = createDatabasePool(config, componentLogger(logger, 'db'));
        try {
          const s = config.settings;
          const { schema, timescale, compressAfter, retention } = timescaleSink.configSchema.parse(
            timescaleSink.settings.configFrom(s),
          );
          const result = await migrate(pool, { schema, timescale, compressAfter, retention, logger });
          say(
            result.applied.length > 0
              ? `schema ${s.ODDSFLOW_DB_SCHEMA}: applied migrations ${result.applied.join(', ')} (${result.mode})`
              : `schema ${s.ODDSFLOW_DB_SCHEMA}: up to date (${result.mode})`,
          );
        } finally {
          await pool.end();
        }
      }),
    );
}
