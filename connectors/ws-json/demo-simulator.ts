import { z } from 'zod';
import { simulatorPort, urlAt, type ConnectorSimulator } from '../simulator-contract.js';
import {
  simulatorFieldMapping,
  simulatorSubscribe,
  startWsSimulator,
  type WsSimulator,
} from './simulator.js';

const options = z.strictObject({
  port: simulatorPort,
  /** Odds messages per second. */
  messagesPerSecond: z.number().positive().default(20),
});

/** The WebSocket feed simulator as the demo runs it, quoting the races of the shared race card. */
export const wsJsonDemoSimulator: ConnectorSimulator<typeof options, WsSimulator> = {
  title: 'WebSocket feed',
  options,
  flags: [{ option: 'port', flag: 'ws-port', value: 'port', description: 'fixed port (0: a free one)' }],
  start: (world, o) =>
    startWsSimulator({
      seed: world.seed,
      host: world.host,
      port: o.port,
      messagesPerSecond: o.messagesPerSecond,
      raceCard: world.raceCard,
      arbitrageRate: world.arbitrageRate / 2,
    }),
  connectorConfig: (simulator, host) => ({
    url: urlAt(simulator.url, host),
    subscribe: simulatorSubscribe,
    mapping: simulatorFieldMapping,
  }),
  address: (simulator) => `WebSocket ${simulator.url}`,
};
