import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { z } from 'zod';
import type { ConnectorModule } from '../../../../connectors/contract.js';
import { connectorModules, connectorNames, type ConnectorName } from '../../../../connectors/registry.js';
import { OddsflowError } from '../../../core/errors.js';
import { startSimulators, type SimulatorOptions } from '../../sim/simulators.js';
import { parseOptions, runCommand, say } from '../context.js';

const optionsSchema = z.object({
  host: z.string().default('127.0.0.1'),
  advertisedHost: z.string().optional(),
  writeConfig: z.string().optional(),
});

interface SimulatorFlags {
  name: ConnectorName;
  module: ConnectorModule;
  /** Each of its flags as a commander option, with the option of the simulator it sets. */
  flags: { option: string; flag: Option }[];
}

/** Every registered simulator's flags; each default shown is the simulator's own. */
function simulatorFlags(): SimulatorFlags[] {
  return connectorNames.map((name) => {
    const module: ConnectorModule = connectorModules[name];
    const defaults = module.simulator.options.parse({});
    const flags = module.simulator.flags.map((f) => ({
      option: f.option,
      flag: new Option(`--${f.flag} <${f.value}>`, f.description).default(String(defaults[f.option])),
    }));
    return { name, module, flags };
  });
}

/** The simulators' options the flags set, checked by each simulator's schema. */
function simulatorOptionsOf(simulators: SimulatorFlags[], raw: Record<string, unknown>): SimulatorOptions {
  const options: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const { name, module, flags } of simulators) {
    const given = Object.fromEntries(flags.map(({ option, flag }) => [option, raw[flag.attributeName()]]));
    const parsed = module.simulator.options.safeParse(given);
    if (parsed.success) options[name] = parsed.data;
    else {
      const flagOf = (option: PropertyKey) => flags.find((f) => f.option === option)?.flag.long;
      problems.push(...parsed.error.issues.map((i) => `${flagOf(i.path[0] ?? '') ?? ''}: ${i.message}`));
    }
  }
  if (problems.length > 0) throw new OddsflowError('CONFIG_INVALID', problems.join('; '));
  return options;
}

export function registerSimulateCommand(program: Command): void {
  const simulators = simulatorFlags();
  const command = program
    .command('simulate')
    .description(
      `serve the provider simulators (${simulators.map((s) => s.module.simulator.title).join(', ')}) until Ctrl-C, and print the connector settings that point at them`,
    )
    .option('--host <host>', 'listen host (0.0.0.0 for a container network)', '127.0.0.1')
    .option('--advertised-host <host>', 'the host the connectors reach the simulators at (a service name)');
  for (const { flags } of simulators) for (const { flag } of flags) command.addOption(flag);
  command
    .option(
      '--write-config <file>',
      'also write the settings as a config file (ODDSFLOW_CONFIG_FILE) for connectors elsewhere',
    )
    .addHelpText(
      'after',
      '\nThe settings are printed as KEY=VALUE lines on stdout (for an env file) and stay valid while it runs.',
    )
    .action((raw: Record<string, unknown>) =>
      runCommand(async () => {
        const o = parseOptions(optionsSchema, raw);
        const sims = await startSimulators({
          host: o.host,
          ...(o.advertisedHost ? { advertisedHost: o.advertisedHost } : {}),
          simulators: simulatorOptionsOf(simulators, raw),
        });
        for (const [key, value] of Object.entries(sims.connectorSettings))
          process.stdout.write(`${key}=${value ?? ''}\n`);
        if (o.writeConfig)
          await writeFile(o.writeConfig, JSON.stringify(sims.connectorSettings, null, 2) + '\n');
        say(`simulators: ${sims.addresses.join(', ')}; Ctrl-C stops them`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await sims.stop();
      }),
    );
}
