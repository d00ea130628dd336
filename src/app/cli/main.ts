#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=100
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { packageRoot } from '../../core/config/paths.js';

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

/**
 * Each top-level command's module, loaded when that command runs: a command loads only its own
 * modules, so a role process (`oddsflow run`) does not carry Parquet, bzip2, the simulators or the
 * local stack's code (an idle processors role: 124 MiB resident instead of 134-143). Help, and a
 * name that is not a command, load them all.
 */
const commands: Record<string, () => Promise<(program: Command) => void>> = {
  aliases: async () => (await import('./commands/aliases.js')).registerAliasesCommands,
  backfill: async () => (await import('./commands/backfill.js')).registerBackfillCommand,
  backtest: async () => (await import('./commands/backtest.js')).registerBacktestCommand,
  bench: async () => (await import('./commands/bench.js')).registerBenchCommand,
  db: async () => (await import('./commands/db.js')).registerDbCommands,
  demo: async () => (await import('./commands/demo.js')).registerDemoCommand,
  dlq: async () => (await import('./commands/dlq.js')).registerDlqCommands,
  'export-features': async () =>
    (await import('./commands/export-features.js')).registerExportFeaturesCommand,
  lag: async () => (await import('./commands/lag.js')).registerLagCommand,
  replay: async () => (await import('./commands/replay.js')).registerReplayCommand,
  run: async () => (await import('./commands/run.js')).registerRunCommand,
  schemas: async () => (await import('./commands/schemas.js')).registerSchemasCommands,
  simulate: async () => (await import('./commands/simulate.js')).registerSimulateCommand,
  stack: async () => (await import('./commands/stack.js')).registerStackCommands,
  tail: async () => (await import('./commands/tail.js')).registerTailCommand,
  topics: async () => (await import('./commands/topics.js')).registerTopicsCommands,
  transform: async () => (await import('./commands/transform.js')).registerTransformCommand,
};

const named = process.argv[2];
const wanted =
  named !== undefined && Object.hasOwn(commands, named) ? [commands[named]!] : Object.values(commands);
for (const register of await Promise.all(wanted.map((load) => load()))) register(program);

await program.parseAsync(process.argv);
