import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { startSimulators } from '../../sim/simulators.js';
import { parseOptions, runCommand, say } from '../context.js';

const optionsSchema = z.object({
  host: z.string().default('127.0.0.1'),
  advertisedHost: z.string().optional(),
  oddsApiPort: z.coerce.number().int().min(0).max(65535).default(0),
  wsPort: z.coerce.number().int().min(0).max(65535).default(0),
  betfairPort: z.coerce.number().int().min(0).max(65535).default(0),
  betfairApiPort: z.coerce.number().int().min(0).max(65535).default(0),
  betfairTls: z.enum(['auto', 'on', 'off']).default('auto'),
  writeConfig: z.string().optional(),
});

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      'serve the three provider simulators (The Odds API, Betfair stream, WebSocket feed) until Ctrl-C, and print the connector settings that point at them',
    )
    .option('--host <host>', 'listen host (0.0.0.0 for a container network)', '127.0.0.1')
    .option('--advertised-host <host>', 'the host the connectors reach the simulators at (a service name)')
    .option('--odds-api-port <port>', 'fixed port (0: a free one)', '0')
    .option('--ws-port <port>', 'fixed port (0: a free one)', '0')
    .option('--betfair-port <port>', 'fixed port of the stream (0: a free one)', '0')
    .option(
      '--betfair-api-port <port>',
      'fixed port of the login, keepAlive and listMarketCatalogue endpoints (0: a free one)',
      '0',
    )
    .option('--betfair-tls <mode>', 'auto, on or off (plain TCP)', 'auto')
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
          ports: {
            oddsApi: o.oddsApiPort,
            ws: o.wsPort,
            betfair: o.betfairPort,
            betfairApi: o.betfairApiPort,
          },
          betfairTls: o.betfairTls,
        });
        for (const [key, value] of Object.entries(sims.connectorSettings))
          process.stdout.write(`${key}=${value ?? ''}\n`);
        if (o.writeConfig)
          await writeFile(o.writeConfig, JSON.stringify(sims.connectorSettings, null, 2) + '\n');
        say(
          `simulators: The Odds API ${sims.oddsApi.url}, WebSocket ${sims.ws.url}, Betfair ${sims.betfair.tls ? 'tls' : 'tcp'}://${sims.betfair.host}:${sims.betfair.port} (API ${sims.betfair.bettingUrl}); Ctrl-C stops them`,
        );
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await sims.stop();
      }),
    );
}
