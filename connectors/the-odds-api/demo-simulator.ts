import { z } from 'zod';
import { simulatorPort, urlAt, type ConnectorSimulator } from '../simulator-contract.js';
import { startOddsApiSimulator, type OddsApiSimulator } from './simulator.js';

const options = z.strictObject({
  port: simulatorPort,
  /** How often the connector polls the simulator. */
  pollMs: z.int().positive().default(3_000),
});

/** The Odds API simulator as the demo runs it: games that start within seconds. */
export const oddsApiDemoSimulator: ConnectorSimulator<typeof options, OddsApiSimulator> = {
  title: 'The Odds API',
  options,
  flags: [
    { option: 'port', flag: 'odds-api-port', value: 'port', description: 'fixed port (0: a free one)' },
  ],
  // Games start within seconds and last 20 s, so a short demo (and the end-to-end test) sees
  // results as well as odds. Now and then a bookmaker misprices a game (an arbitrage, on purpose:
  // about one a minute in the demo) or leaves it for a while (its quotes withdrawn).
  start: (world, o) =>
    startOddsApiSimulator({
      seed: world.seed,
      host: world.host,
      port: o.port,
      firstStartMs: 5_000,
      startSpacingMs: 10_000,
      durationMs: 20_000,
      arbitrageRate: world.arbitrageRate,
      absenceRate: 0.02,
    }),
  connectorConfig: (simulator, host, o) => ({
    apiKey: simulator.apiKey,
    baseUrl: urlAt(simulator.url, host),
    sports: [
      {
        sport: 'basketball_nba',
        regions: ['us'],
        markets: ['h2h', 'spreads', 'totals'],
        pollIntervalMs: o.pollMs,
        scoresIntervalMs: o.pollMs * 2,
      },
      {
        // uk holds the exchange (betfair_ex_uk), whose lay side back-versus-lay is found against.
        sport: 'soccer_epl',
        regions: ['uk', 'eu'],
        markets: ['h2h', 'h2h_lay'],
        pollIntervalMs: o.pollMs,
        scoresIntervalMs: o.pollMs * 2,
      },
    ],
  }),
  address: (simulator) => `The Odds API ${simulator.url}`,
};
