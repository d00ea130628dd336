import type { Command } from 'commander';
import { z } from 'zod';
import path from 'node:path';
import { connectorModules } from '../../../../connectors/registry.js';
import { demoLogFile } from '../../demo/log-file.js';
import { runDemo } from '../../demo/run-demo.js';
import { createLogger } from '../../../core/logger.js';
import { parseOptions, runCommand, say } from '../context.js';

const optionsSchema = z.object({
  duration: z.coerce.number().positive().optional(),
  json: z.boolean().optional(),
});

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      `the whole pipeline on simulated providers (${Object.values(connectorModules)
        .map((m) => m.simulator.title)
        .join(', ')}): starts the local stack if nothing is configured, every role, and a live view`,
    )
    .option('--duration <seconds>', 'run for a bounded time, then print a summary')
    .option('--json', 'print the summary as one JSON object on the last line of stdout')
    .addHelpText(
      'after',
      '\nCtrl-C stops everything the demo started. Data stays under the topic prefix "demo.", schema "demo" and Redis prefix "demo:" until the next demo.',
    )
    // Exits once it has stopped what it started, even if a role was left stuck (stopWithin).
    .action((raw: Record<string, unknown>) =>
      runCommand(async ({ config, logger }) => {
        const opts = parseOptions(optionsSchema, raw);
        const interactive = process.stdout.isTTY === true && !opts.json;
        // Redrawn in place, the live view would be torn by log lines: on a terminal they go to a file.
        const logFile = interactive ? demoLogFile(config.stackDir) : undefined;
        if (logFile) say(`demo: logs go to ${path.relative(process.cwd(), logFile.tally.file)}`);
        let requestStop!: () => void;
        const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
        let signals = 0;
        const onSignal = (signal: NodeJS.Signals) => {
          signals++;
          if (signals > 1) {
            say(`demo: second ${signal}: exiting without cleaning up`);
            process.exit(130);
          }
          say(`demo: ${signal}: stopping everything the demo started`);
          requestStop();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        const summary = await runDemo(
          process.env,
          logFile ? createLogger({ level: config.logLevel, destination: logFile.destination }) : logger,
          { durationSeconds: opts.duration, interactive, say, stopRequested, logTally: logFile?.tally },
        ).finally(() => logFile?.close());
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        say(`demo summary (${summary.seconds} s):`);
        for (const [topic, n] of Object.entries(summary.topics)) say(`  ${topic.padEnd(24)} ${n} records`);
        for (const [table, n] of Object.entries(summary.timescale))
          say(`  timescale ${table.padEnd(14)} ${n} rows`);
        say(
          `  redis keys ${summary.redis.keys}; dead letters ${summary.deadLetters}${
            summary.deadLetters > 0 ? ` (${JSON.stringify(summary.deadLetterReasons)})` : ''
          }; ${summary.recordsPerSecond} provider records/s through the processors`,
        );
        if (logFile)
          say(
            `  log: ${logFile.tally.warnings} warning(s), ${logFile.tally.errors} error(s) in ${path.relative(process.cwd(), logFile.tally.file)}`,
          );
        const { total: arbitrages = 0, ...byKind } = summary.arbitrages;
        say(
          `  arbitrages after commission opened: ${arbitrages}${
            Object.keys(byKind).length > 0
              ? ` (${Object.entries(byKind)
                  .map(([k, n]) => `${k} ${n}`)
                  .join(', ')})`
              : ''
          }; the simulators make them rarely, on purpose`,
        );
        if (opts.json)
          process.stdout.write(
            JSON.stringify({
              topics: summary.topics,
              timescale: summary.timescale,
              redis: summary.redis,
              arbitrages: summary.arbitrages,
              deadLetters: summary.deadLetters,
              deadLetterReasons: summary.deadLetterReasons,
              recordsPerSecond: summary.recordsPerSecond,
            }) + '\n',
          );
      }).then(() => process.exit()),
    );
}
