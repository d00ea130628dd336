import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { ConnectorModule } from '../../../connectors/contract.js';
import { formatNamed, historyFormats } from '../../../connectors/historical/formats.js';
import { formatOfProvider, offlineProviders } from '../../../connectors/offline-readers.js';
import { connectorModules, connectorNames } from '../../../connectors/registry.js';
import { registerSimulateCommand } from '../../../src/app/cli/commands/simulate.js';
import { startSimulators } from '../../../src/app/sim/simulators.js';

// Adding a provider is one folder and one registry line: everything a module declares must be
// reachable from the registry, or the new provider is silently missing from a command.
const modules = connectorNames.map((name) => [name, connectorModules[name] as ConnectorModule] as const);

describe('the connector registry', () => {
  it('lists each module under its own name', () => {
    expect(modules.length).toBeGreaterThan(0);
    for (const [name, module] of modules) expect(module.name).toBe(name);
  });

  it('reads each module’s recordings: `--provider <name>` is its connector’s format, `--format` any of its formats', () => {
    expect(offlineProviders).toEqual(connectorNames);
    for (const [name, module] of modules) {
      expect(formatOfProvider(name), name).toBe(module.recordingFormat.name);
      for (const format of [module.recordingFormat, ...module.otherFormats]) {
        expect(historyFormats, name).toContain(format.name);
        // The very object the module declares is what reads `--format <its name>`.
        expect(formatNamed(format.name), format.name).toBe(format);
        expect(typeof format.recognises, format.name).toBe('function');
        expect(typeof format.read, format.name).toBe('function');
      }
    }
  });

  it('gives every format a name of its own', () => {
    expect(new Set(historyFormats).size).toBe(historyFormats.length);
  });

  it('offers each simulator’s flags on `oddsflow simulate`, each setting an option of that simulator', () => {
    const program = new Command();
    registerSimulateCommand(program);
    const offered = program.commands.find((c) => c.name() === 'simulate')!.options.map((o) => o.long);
    for (const [name, module] of modules) {
      const { flags, options } = module.simulator;
      for (const flag of flags) {
        expect(offered, name).toContain(`--${flag.flag}`);
        expect(Object.keys(options.shape), `${name} --${flag.flag}`).toContain(flag.option);
      }
    }
  });

  it('starts every module’s simulator and points its connector at it with a config the connector accepts', async () => {
    const sims = await startSimulators();
    try {
      expect(sims.connectorSettings.ODDSFLOW_CONNECTORS).toBe(connectorNames.join(','));
      expect(sims.addresses).toHaveLength(modules.length);
      for (const [name, module] of modules) {
        expect(sims.byConnector[name], name).toBeDefined();
        const setting = sims.connectorSettings[module.settings.config];
        expect(setting, module.settings.config).toBeTypeOf('string');
        const config = module.configSchema.safeParse(JSON.parse(setting!));
        expect(config.error, name).toBeUndefined();
      }
    } finally {
      await sims.stop();
    }
  });
});
