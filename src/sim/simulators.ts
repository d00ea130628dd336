import { startBetfairSimulator, type BetfairSimulator } from '../../connectors/betfair/simulator.js';
import { startOddsApiSimulator, type OddsApiSimulator } from '../../connectors/the-odds-api/simulator.js';
import {
  simulatorFieldMapping,
  simulatorSubscribe,
  startWsSimulator,
  type WsSimulator,
} from '../../connectors/ws-json/simulator.js';
import type { Env } from '../config/load.js';

export interface SimulatorRates {
  /** Betfair price changes per second over all markets. */
  betfairUpdatesPerSecond: number;
  betfairMarkets: number;
  /** WebSocket odds messages per second. */
  wsMessagesPerSecond: number;
  /** How often the connector polls The Odds API simulator. */
  oddsApiPollMs: number;
}

export const demoRates: SimulatorRates = {
  betfairUpdatesPerSecond: 40,
  betfairMarkets: 12,
  wsMessagesPerSecond: 20,
  oddsApiPollMs: 3_000,
};

export interface Simulators {
  oddsApi: OddsApiSimulator;
  ws: WsSimulator;
  betfair: BetfairSimulator;
  /** The connector settings (environment variables) that point every connector at its simulator. */
  connectorSettings: Env;
  stop(): Promise<void>;
}

/**
 * The three provider simulators on localhost, speaking the real protocols, with clean data (no
 * faults) unless asked: what `npm run demo`, the end-to-end tests and the benchmarks run against.
 */
export async function startSimulators(
  options: { seed?: number; rates?: Partial<SimulatorRates>; host?: string } = {},
): Promise<Simulators> {
  const rates = { ...demoRates, ...options.rates };
  const seed = options.seed ?? 7;
  const oddsApi = await startOddsApiSimulator({
    seed,
    firstStartMs: 20_000,
    startSpacingMs: 30_000,
    durationMs: 60_000,
  });
  const ws = await startWsSimulator({ seed, messagesPerSecond: rates.wsMessagesPerSecond });
  const betfair = await startBetfairSimulator({
    seed,
    markets: rates.betfairMarkets,
    updatesPerSecond: rates.betfairUpdatesPerSecond,
    marketLifetimeTicks: 60,
    ...(options.host ? { host: options.host } : {}),
  });
  const connectorSettings: Env = {
    ODDSFLOW_CONNECTORS: 'the-odds-api,betfair,ws-json',
    ODDSFLOW_CONNECTOR_THE_ODDS_API: JSON.stringify({
      apiKey: oddsApi.apiKey,
      baseUrl: oddsApi.url,
      sports: [
        {
          sport: 'basketball_nba',
          regions: ['us'],
          markets: ['h2h', 'spreads', 'totals'],
          pollIntervalMs: rates.oddsApiPollMs,
          scoresIntervalMs: rates.oddsApiPollMs * 2,
        },
        {
          sport: 'soccer_epl',
          regions: ['uk'],
          markets: ['h2h'],
          pollIntervalMs: rates.oddsApiPollMs,
          scoresIntervalMs: rates.oddsApiPollMs * 2,
        },
      ],
    }),
    ODDSFLOW_CONNECTOR_WS_JSON: JSON.stringify({
      url: ws.url,
      subscribe: simulatorSubscribe,
      mapping: simulatorFieldMapping,
    }),
    ODDSFLOW_CONNECTOR_BETFAIR: JSON.stringify({
      host: betfair.host,
      port: betfair.port,
      tls: betfair.tls,
      ...(betfair.caFile ? { caFile: betfair.caFile } : {}),
      appKey: betfair.appKey,
      sessionToken: betfair.sessionToken,
      heartbeatMs: 5_000,
    }),
  };
  return {
    oddsApi,
    ws,
    betfair,
    connectorSettings,
    async stop() {
      await Promise.all([oddsApi.stop(), ws.stop(), betfair.stop()]);
    },
  };
}
