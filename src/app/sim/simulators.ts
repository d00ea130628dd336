import { betfairSettings } from '../../../connectors/betfair/settings.js';
import { startBetfairSimulator, type BetfairSimulator } from '../../../connectors/betfair/simulator.js';
import { connectorNames } from '../../../connectors/registry.js';
import { theOddsApiSettings } from '../../../connectors/the-odds-api/settings.js';
import { startOddsApiSimulator, type OddsApiSimulator } from '../../../connectors/the-odds-api/simulator.js';
import {
  simulatorFieldMapping,
  simulatorSubscribe,
  startWsSimulator,
  type WsSimulator,
} from '../../../connectors/ws-json/simulator.js';
import { wsJsonSettings } from '../../../connectors/ws-json/settings.js';
import type { Env } from '../../core/config/load.js';
import { raceCardFrom } from '../../core/sim/race-card.js';

export interface SimulatorRates {
  /** Betfair price changes per second over all markets. */
  betfairUpdatesPerSecond: number;
  betfairMarkets: number;
  /** WebSocket odds messages per second. */
  wsMessagesPerSecond: number;
  /** How often the connector polls The Odds API simulator. */
  oddsApiPollMs: number;
  /** Chance of a deliberate mispricing per bookmaker's quote window (see the simulators' arbitrageRate). */
  arbitrageRate: number;
}

export const demoRates: SimulatorRates = {
  betfairUpdatesPerSecond: 40,
  betfairMarkets: 12,
  wsMessagesPerSecond: 20,
  oddsApiPollMs: 3_000,
  arbitrageRate: 0.01,
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
export interface SimulatorPlacement {
  /** Where the simulators listen: 127.0.0.1 by default, 0.0.0.0 to serve a container network. */
  host?: string;
  /** The host the connectors reach them at (a service name); the listen host by default. */
  advertisedHost?: string;
  /** Fixed ports (0 or absent: free ones); betfairApi serves Betfair's login, keepAlive and catalogue. */
  ports?: { oddsApi?: number; ws?: number; betfair?: number; betfairApi?: number };
  /** Betfair over TLS with a generated certificate (auto: when openssl exists), or plain TCP. */
  betfairTls?: 'auto' | 'on' | 'off';
}

export async function startSimulators(
  options: { seed?: number; rates?: Partial<SimulatorRates> } & SimulatorPlacement = {},
): Promise<Simulators> {
  const rates = { ...demoRates, ...options.rates };
  const seed = options.seed ?? 7;
  const host = options.host ?? '127.0.0.1';
  const advertised = options.advertisedHost ?? (host === '0.0.0.0' ? '127.0.0.1' : host);
  const at = (url: string) => url.replace(/\/\/[^/:]+:/, `//${advertised}:`);
  // Games start within seconds and last 20 s, and races settle after about 20 s of ticks, so a
  // short demo (and the end-to-end test) sees results as well as odds. Now and then a bookmaker
  // misprices a game (an arbitrage, on purpose: about one a minute in the demo) or leaves it for
  // a while (its quotes withdrawn).
  const oddsApi = await startOddsApiSimulator({
    seed,
    host,
    port: options.ports?.oddsApi ?? 0,
    firstStartMs: 5_000,
    startSpacingMs: 10_000,
    durationMs: 20_000,
    arbitrageRate: rates.arbitrageRate,
    absenceRate: 0.02,
  });
  // One race card for the exchange and the bookmakers: the same races, courses, offs and runners,
  // so the pipeline joins an exchange book and a bookmaker book of one race.
  const raceCard = raceCardFrom(Date.now(), seed);
  const ws = await startWsSimulator({
    seed,
    host,
    port: options.ports?.ws ?? 0,
    messagesPerSecond: rates.wsMessagesPerSecond,
    raceCard,
    arbitrageRate: rates.arbitrageRate / 2,
  });
  const betfair = await startBetfairSimulator({
    seed,
    host,
    raceCard,
    port: options.ports?.betfair ?? 0,
    apiPort: options.ports?.betfairApi ?? 0,
    tls: options.betfairTls ?? 'auto',
    markets: rates.betfairMarkets,
    updatesPerSecond: rates.betfairUpdatesPerSecond,
    marketLifetimeTicks: 60,
  });
  const connectorSettings: Env = {
    ODDSFLOW_CONNECTORS: connectorNames.join(','),
    [theOddsApiSettings.config]: JSON.stringify({
      apiKey: oddsApi.apiKey,
      baseUrl: at(oddsApi.url),
      sports: [
        {
          sport: 'basketball_nba',
          regions: ['us'],
          markets: ['h2h', 'spreads', 'totals'],
          pollIntervalMs: rates.oddsApiPollMs,
          scoresIntervalMs: rates.oddsApiPollMs * 2,
        },
        {
          // uk holds the exchange (betfair_ex_uk), whose lay side back-versus-lay is found against.
          sport: 'soccer_epl',
          regions: ['uk', 'eu'],
          markets: ['h2h', 'h2h_lay'],
          pollIntervalMs: rates.oddsApiPollMs,
          scoresIntervalMs: rates.oddsApiPollMs * 2,
        },
      ],
    }),
    [wsJsonSettings.config]: JSON.stringify({
      url: at(ws.url),
      subscribe: simulatorSubscribe,
      mapping: simulatorFieldMapping,
    }),
    [betfairSettings.config]: JSON.stringify({
      ...betfair.connectorConfig(advertised),
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
