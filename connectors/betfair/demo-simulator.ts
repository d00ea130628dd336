import { z } from 'zod';
import { simulatorPort, type ConnectorSimulator } from '../simulator-contract.js';
import { startBetfairSimulator, type BetfairSimulator } from './simulator.js';

const options = z.strictObject({
  port: simulatorPort,
  /** The login, keepAlive and listMarketCatalogue endpoints. */
  apiPort: simulatorPort,
  /** TLS with a generated certificate (auto: when openssl exists), or plain TCP. */
  tls: z.enum(['auto', 'on', 'off']).default('auto'),
  markets: z.int().positive().default(12),
  /** Price changes per second over all markets. */
  updatesPerSecond: z.number().positive().default(40),
});

/**
 * The Exchange Stream simulator as the demo runs it, on the shared race card; races settle after
 * about 20 s of ticks, so a short demo sees results as well as odds.
 */
export const betfairDemoSimulator: ConnectorSimulator<typeof options, BetfairSimulator> = {
  title: 'Betfair stream',
  options,
  flags: [
    {
      option: 'port',
      flag: 'betfair-port',
      value: 'port',
      description: 'fixed port of the stream (0: a free one)',
    },
    {
      option: 'apiPort',
      flag: 'betfair-api-port',
      value: 'port',
      description: 'fixed port of the login, keepAlive and listMarketCatalogue endpoints (0: a free one)',
    },
    { option: 'tls', flag: 'betfair-tls', value: 'mode', description: 'auto, on or off (plain TCP)' },
  ],
  start: (world, o) =>
    startBetfairSimulator({
      seed: world.seed,
      host: world.host,
      raceCard: world.raceCard,
      port: o.port,
      apiPort: o.apiPort,
      tls: o.tls,
      markets: o.markets,
      updatesPerSecond: o.updatesPerSecond,
      marketLifetimeTicks: 60,
    }),
  connectorConfig: (simulator, host) => ({ ...simulator.connectorConfig(host), heartbeatMs: 5_000 }),
  address: (simulator) =>
    `Betfair ${simulator.tls ? 'tls' : 'tcp'}://${simulator.host}:${simulator.port} (API ${simulator.bettingUrl})`,
};
