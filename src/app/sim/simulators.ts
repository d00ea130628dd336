import type { z } from 'zod';
import type { ConnectorModule } from '../../../connectors/contract.js';
import { connectorModules, connectorNames, type ConnectorName } from '../../../connectors/registry.js';
import type { SimulatorWorld } from '../../../connectors/simulator-contract.js';
import type { Env } from '../../core/config/load.js';
import { raceCardFrom } from '../../core/sim/race-card.js';

type SimulatorOf<N extends ConnectorName> = (typeof connectorModules)[N]['simulator'];

/** Each connector's simulator options (`options` of its ConnectorSimulator), all optional. */
export type SimulatorOptions = {
  [N in ConnectorName]?: z.input<SimulatorOf<N>['options']>;
};

export interface Simulators {
  /** Each connector's running simulator, by connector name: its faults and stats. */
  byConnector: { [N in ConnectorName]: Awaited<ReturnType<SimulatorOf<N>['start']>> };
  /** Where each serves, one phrase each ("WebSocket ws://127.0.0.1:7002"). */
  addresses: string[];
  /** The connector settings (environment variables) that point every connector at its simulator. */
  connectorSettings: Env;
  stop(): Promise<void>;
}

export interface SimulatorsOptions {
  seed?: number;
  /** Chance of a deliberate mispricing per bookmaker's quote window: about one a minute in the demo. */
  arbitrageRate?: number;
  /** Where the simulators listen: 127.0.0.1 by default, 0.0.0.0 to serve a container network. */
  host?: string;
  /** The host the connectors reach them at (a service name); the listen host by default. */
  advertisedHost?: string;
  /** Ports, rates and TLS of each; the demo's by default. */
  simulators?: SimulatorOptions;
}

/**
 * Every registered connector's simulator on localhost, speaking the real protocols, with clean
 * data (no faults) unless asked: what `npm run demo`, `oddsflow simulate`, the end-to-end tests
 * and the benchmarks run against.
 */
export async function startSimulators(options: SimulatorsOptions = {}): Promise<Simulators> {
  const seed = options.seed ?? 7;
  const host = options.host ?? '127.0.0.1';
  const advertised = options.advertisedHost ?? (host === '0.0.0.0' ? '127.0.0.1' : host);
  // One race card for the exchange and the bookmakers: the same races, courses, offs and runners,
  // so the pipeline joins an exchange book and a bookmaker book of one race.
  const world: SimulatorWorld = {
    seed,
    host,
    raceCard: raceCardFrom(Date.now(), seed),
    arbitrageRate: options.arbitrageRate ?? 0.01,
  };
  const running: { stop(): Promise<void> }[] = [];
  const byConnector: Record<string, unknown> = {};
  const addresses: string[] = [];
  const connectorSettings: Env = { ODDSFLOW_CONNECTORS: connectorNames.join(',') };
  try {
    for (const name of connectorNames) {
      const module: ConnectorModule = connectorModules[name];
      const { simulator } = module;
      const simulatorOptions = simulator.options.parse(options.simulators?.[name] ?? {});
      const started = await simulator.start(world, simulatorOptions);
      running.push(started);
      byConnector[name] = started;
      addresses.push(simulator.address(started));
      connectorSettings[module.settings.config] = JSON.stringify(
        simulator.connectorConfig(started, advertised, simulatorOptions),
      );
    }
  } catch (err) {
    await Promise.allSettled(running.map((s) => s.stop()));
    throw err;
  }
  return {
    byConnector: byConnector as Simulators['byConnector'],
    addresses,
    connectorSettings,
    async stop() {
      await Promise.all(running.map((s) => s.stop()));
    },
  };
}
