import type { Command } from 'commander';
import { stackDown, stackStatus, stackUp } from '../../../../stack/index.js';
import { loadConfig } from '../../config/load.js';
import { runCommand, say } from '../context.js';

export function registerStackCommands(program: Command): void {
  const stack = program
    .command('stack')
    .description(
      'the local real stack without Docker: Kafka (KRaft), Apicurio Registry, embedded TimescaleDB, Redis',
    );

  stack
    .command('up')
    .description(
      'fetch (first run) and start every service that is not configured by environment; reuse what runs',
    )
    .option('--json', 'print the endpoints as JSON on stdout')
    .option(
      '--brokers <n>',
      'Kafka brokers (KRaft, each also a controller); 3 gives topics three replicas and min.insync.replicas 2. Fixed once the storage is formatted (ODDSFLOW_STACK_KAFKA_BROKERS)',
    )
    .action((opts: { json?: boolean; brokers?: string }) =>
      runCommand(async ({ config: base }) => {
        const config =
          opts.brokers === undefined
            ? base
            : loadConfig({ ...process.env, ODDSFLOW_STACK_KAFKA_BROKERS: opts.brokers });
        const result = await stackUp(config, say);
        say(`stack ready in ${result.seconds.toFixed(1)} s; endpoints in ${config.stackDir}/endpoints.json`);
        if (opts.json) process.stdout.write(JSON.stringify(result.endpoints) + '\n');
      }),
    );

  stack
    .command('down')
    .description('stop the services the stack started (data stays in .stack/)')
    .action(() =>
      runCommand(async ({ config }) => {
        const stopped = await stackDown(config, say);
        say(stopped.length > 0 ? `stopped ${stopped.join(', ')}` : 'nothing was running');
      }),
    );

  stack
    .command('status')
    .description('show each service: endpoint, pid, memory, and whether it answers')
    .option('--json', 'print the status as JSON on stdout')
    .action((opts: { json?: boolean }) =>
      runCommand(async ({ config }) => {
        const services = await stackStatus(config);
        if (opts.json) {
          process.stdout.write(JSON.stringify(services) + '\n');
        } else {
          for (const s of services) {
            const proc = s.pid === null ? '' : ` pid ${s.pid}${s.rssMb === null ? '' : `, ${s.rssMb} MB`}`;
            say(
              `${s.ready ? 'up  ' : 'down'} ${s.name.padEnd(9)} ${s.endpoint} [${s.managedBy}${proc}] ${s.detail}`,
            );
          }
        }
        return services.every((s) => s.ready) ? 0 : 1;
      }),
    );
}
