import type { Command } from 'commander';
import { migrate } from '../../../../sinks/migrations/index.js';
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
          const result = await migrate(pool, {
            schema: s.ODDSFLOW_DB_SCHEMA,
            timescale: s.ODDSFLOW_TIMESCALE,
            compressAfter: s.ODDSFLOW_COMPRESS_AFTER === 'never' ? null : s.ODDSFLOW_COMPRESS_AFTER,
            retention: s.ODDSFLOW_RETENTION === 'never' ? null : s.ODDSFLOW_RETENTION,
            logger,
          });
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
