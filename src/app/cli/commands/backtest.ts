import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { defaultCommission, parseCommission, type CommissionTable } from '../../backtest/commission.js';
import { runBacktest, type BacktestEvent } from '../../backtest/engine.js';
import { historyFromFiles } from '../../backtest/file-source.js';
import { writeReport } from '../../backtest/report.js';
import { historyFromTimescale } from '../../backtest/timescale-source.js';
import { OddsflowError } from '../../../core/errors.js';
import { requireServices } from '../../history/preflight.js';
import { componentLogger } from '../../../core/logger.js';
import { createDatabasePool } from '../../roles/stores.js';
import { defaultFreshness } from '../../strategy/market-board.js';
import { loadStrategy, parseParams } from '../../strategy/load.js';
import { parseOptions, runCommand, say } from '../context.js';
import { durationOption } from '../duration-option.js';
import { addInputOptions, inputOptions, inputOptionsSchema } from '../input-options.js';
import { timeOption } from '../time-option.js';
import { describeProblem } from '../../../../connectors/historical/problems.js';

const optionsSchema = z.strictObject({
  ...inputOptionsSchema,
  strategy: z.string(),
  from: timeOption.optional(),
  to: timeOption.optional(),
  file: z.string().optional(),
  param: z.array(z.string()).default([]),
  commission: z.string().optional(),
  maxAgePreMatch: durationOption.default(defaultFreshness.preMatchMaxAgeMs),
  maxAgeInPlay: durationOption.default(defaultFreshness.inPlayMaxAgeMs),
  maxStake: z.coerce.number().positive().default(1_000),
  out: z.string().optional(),
});

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerBacktestCommand(program: Command): void {
  const command = program
    .command('backtest')
    .description(
      'replay stored history (TimescaleDB, or --file) in event-time order through a strategy, fill its orders at the quoted prices (refused when stale or suspended), charge commission, and write a report: bets, P&L, ROI, hit rate, Sharpe, drawdown, closing-line value, per market, equity curve',
    )
    .requiredOption(
      '--strategy <file>',
      'a module whose default export is a Strategy or a factory of one (src/app/strategy/strategy.ts)',
    )
    .option('--from <time>', 'first event time, ISO 8601 or epoch ms (default: all)')
    .option('--to <time>', 'last event time (default: all)')
    .option('--file <path>', 'replay recorded files (a file, folder or archive) instead of TimescaleDB')
    .option('--param <key=value>', 'a strategy parameter (repeatable)', collect)
    .option(
      '--commission <list>',
      `commission on net winnings per bookmaker in percent, e.g. betfair=5,smarkets=2 (default ${Object.entries(
        defaultCommission,
      )
        .map(([b, r]) => `${b}=${r * 100}`)
        .join(',')}; Betfair markets use their base rate when the data has it)`,
    )
    .option('--max-age-pre-match <duration>', 'older quotes are stale before the start', '10m')
    .option('--max-age-in-play <duration>', 'older quotes are stale in play', '10s')
    .option('--max-stake <amount>', 'largest stake of one bet', '1000')
    .option('--out <dir>', 'report folder (default backtests/<strategy file>-<from>-<to>)');
  addInputOptions(command, '--file').action((raw: Record<string, unknown>) =>
    runCommand(async ({ config, logger }) => {
      const opts = parseOptions(optionsSchema, raw);
      const from = opts.from ?? -8.64e15;
      const to = opts.to ?? 8.64e15;
      if (from > to) throw new OddsflowError('CONFIG_INVALID', '--from is after --to');
      const strategy = await loadStrategy(opts.strategy, parseParams(opts.param));
      let commission: Record<string, number>;
      try {
        commission = parseCommission(opts.commission);
      } catch (err) {
        throw new OddsflowError('CONFIG_INVALID', (err as Error).message);
      }
      const table: CommissionTable = { byBookmaker: commission, marketBaseRates: new Map() };
      const backtest = {
        from,
        to,
        freshness: { preMatchMaxAgeMs: opts.maxAgePreMatch, inPlayMaxAgeMs: opts.maxAgeInPlay },
        commission: table,
        maxStake: opts.maxStake,
      };
      let run;
      let inputs: string;
      if (opts.file !== undefined) {
        const history = await historyFromFiles(
          inputOptions(
            { ...opts, file: opts.file },
            { now: 0, report: (p) => say(`backtest: ${describeProblem(p)}`) },
          ),
          config.settings,
        );
        for (const [key, rate] of history.marketBaseRates) table.marketBaseRates.set(key, rate);
        const events: BacktestEvent[] = history.events;
        run = await runBacktest(events, strategy, backtest);
        inputs = `files: ${opts.file}${history.deadLetters > 0 ? ` (${history.deadLetters} records refused by validation)` : ''}`;
      } else {
        await requireServices(config, { database: true });
        const pool = createDatabasePool(config, componentLogger(logger, 'backtest'));
        try {
          const schema = config.settings.ODDSFLOW_DB_SCHEMA;
          run = await runBacktest(
            historyFromTimescale(
              pool,
              schema,
              { from, to },
              { method: config.settings.ODDSFLOW_MARGIN_METHOD },
            ),
            strategy,
            backtest,
          );
          inputs = `TimescaleDB schema ${schema}`;
        } finally {
          await pool.end();
        }
      }
      const stamp = (ms: number | undefined) =>
        ms === undefined ? 'all' : new Date(ms).toISOString().slice(0, 16).replace(/[:T]/g, '');
      const dir = path.resolve(
        opts.out ??
          path.join(
            'backtests',
            `${path.basename(opts.strategy).replace(/\.[jt]s$/, '')}-${stamp(opts.from)}-${stamp(opts.to)}`,
          ),
      );
      const report = await writeReport(run, dir, inputs);
      const s = report.summary;
      say(
        `backtest ${strategy.name}: ${s.bets} bets (${s.refused} orders refused), staked ${s.staked.toFixed(2)}, P&L ${s.pnl.toFixed(2)}, ROI ${s.roi === null ? '–' : (s.roi * 100).toFixed(2) + ' %'}, ${s.quotes} pricing records`,
      );
      say(`report: ${report.html}`);
    }),
  );
}
