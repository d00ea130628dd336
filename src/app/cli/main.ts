#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=100
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { packageRoot } from '../../core/config/paths.js';
import { registerAliasesCommands } from './commands/aliases.js';
import { registerBackfillCommand } from './commands/backfill.js';
import { registerBacktestCommand } from './commands/backtest.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerDbCommands } from './commands/db.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDlqCommands } from './commands/dlq.js';
import { registerExportFeaturesCommand } from './commands/export-features.js';
import { registerLagCommand } from './commands/lag.js';
import { registerReplayCommand } from './commands/replay.js';
import { registerRunCommand } from './commands/run.js';
import { registerTailCommand } from './commands/tail.js';
import { registerSchemasCommands } from './commands/schemas.js';
import { registerSimulateCommand } from './commands/simulate.js';
import { registerStackCommands } from './commands/stack.js';
import { registerTopicsCommands } from './commands/topics.js';
import { registerTransformCommand } from './commands/transform.js';

const { version } = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {
  version: string;
};

const program = new Command('oddsflow')
  .description(
    'Streaming pipeline on Apache Kafka for sports-betting odds.\nConfiguration comes from environment variables (see README); `oddsflow stack up` needs none.',
  )
  .version(version)
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true });

registerAliasesCommands(program);
registerBackfillCommand(program);
registerBacktestCommand(program);
registerBenchCommand(program);
registerDbCommands(program);
registerDemoCommand(program);
registerDlqCommands(program);
registerExportFeaturesCommand(program);
registerLagCommand(program);
registerReplayCommand(program);
registerRunCommand(program);
registerTailCommand(program);
registerStackCommands(program);
registerTopicsCommands(program);
registerTransformCommand(program);
registerSchemasCommands(program);
registerSimulateCommand(program);

await program.parseAsync(process.argv);
