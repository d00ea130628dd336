import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { createKafka } from '../../../core/kafka/client.js';
import { measureLag, oddsflowGroups, type PartitionLag } from '../../ops/lag.js';
import { OddsflowError } from '../../../core/errors.js';
import { startHealthServer } from '../../../core/health/server.js';
import { Readiness } from '../../../core/health/readiness.js';
import { createMetrics } from '../../../core/metrics.js';
import { consumerGroups, startLagMonitor } from '../../ops/lag-monitor.js';
import { parseOptions, runCommand, say, type CommandContext } from '../context.js';

const optionsSchema = z.object({
  group: z.array(z.string().min(1)).optional(),
  watch: z.boolean().optional(),
  interval: z.coerce.number().positive().default(5),
  maxLag: z.coerce.number().int().min(0).optional(),
  json: z.boolean().optional(),
  serve: z.boolean().optional(),
  port: z.coerce.number().int().min(0).max(65535).optional(),
});

/**
 * `lag --serve`: the lag of every consumer group of the cluster (or the --group ones) as
 * Prometheus metrics until SIGINT/SIGTERM, for the groups no oddsflow role watches (the trading
 * bot's, the ML team's).
 */
async function serveLag(
  { config, logger }: CommandContext,
  opts: z.output<typeof optionsSchema>,
): Promise<number> {
  const metrics = createMetrics();
  const kafka = createKafka(config.kafka, { logger, clientIdSuffix: 'lag' });
  const named = opts.group;
  const monitor = await startLagMonitor(
    kafka,
    (admin) => (named ? Promise.resolve(named) : consumerGroups(admin)),
    { metrics, logger },
    opts.interval * 1000,
  );
  const s = config.settings;
  const health = await startHealthServer({
    port: opts.port ?? s.ODDSFLOW_HTTP_PORT,
    host: s.ODDSFLOW_HTTP_HOST,
    metrics,
    readiness: new Readiness(
      { kafka: monitor.check },
      { timeoutMs: s.ODDSFLOW_READY_CHECK_TIMEOUT_MS, cacheMs: s.ODDSFLOW_READY_CACHE_MS, metrics, logger },
    ),
  });
  say(
    `serving the lag of ${named ? named.join(', ') : 'every consumer group'} on http://${s.ODDSFLOW_HTTP_HOST}:${health.port}/metrics, refreshed every ${opts.interval} s; Ctrl-C stops`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await monitor.stop();
  await health.close();
  return 0;
}

function table(rows: PartitionLag[]): string {
  const header = ['GROUP', 'TOPIC', 'PART', 'COMMITTED', 'END', 'LAG', 'TIME LAG'];
  const body = rows.map((r) => [
    r.group,
    r.topic,
    String(r.partition),
    r.committed ?? '-',
    r.end,
    String(r.lag),
    r.timeLagSeconds === null ? '?' : `${r.timeLagSeconds.toFixed(1)} s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [header, ...body].map((cols) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

export function registerLagCommand(program: Command): void {
  program
    .command('lag')
    .description(
      'consumer lag per group, topic and partition: committed offset, end offset, lag and estimated time lag',
    )
    .option('--group <group...>', "consumer group(s); default: this deployment's oddsflow groups")
    .option('--watch', 'refresh every --interval seconds until Ctrl-C')
    .option('--interval <seconds>', 'refresh interval for --watch', '5')
    .option('--max-lag <n>', 'exit 3 when any partition lags by more than n messages (for cron and alerting)')
    .option('--json', 'one JSON object per partition on stdout')
    .option(
      '--serve',
      "serve every consumer group's lag (or the --group ones) as Prometheus metrics on ODDSFLOW_HTTP_HOST:ODDSFLOW_HTTP_PORT until Ctrl-C",
    )
    .option('--port <port>', 'with --serve: the port instead of ODDSFLOW_HTTP_PORT (0: a free one)')
    .action((raw: Record<string, unknown>) =>
      runCommand(async (context) => {
        const { config, logger } = context;
        const opts = parseOptions(optionsSchema, raw);
        if (opts.serve) return serveLag(context, opts);
        const admin = createKafka(config.kafka, { logger, clientIdSuffix: 'lag' }).admin();
        await admin.connect();
        try {
          const groups = opts.group ?? (await oddsflowGroups(admin, `${config.topics.prefix}oddsflow-`));
          if (groups.length === 0)
            throw new OddsflowError(
              'INPUT_UNREADABLE',
              'no oddsflow consumer groups found (nothing has consumed yet); name one with --group',
            );
          for (;;) {
            const rows = await measureLag(admin, { groups, now: Date.now() });
            if (opts.json) for (const row of rows) process.stdout.write(JSON.stringify(row) + '\n');
            else {
              if (opts.watch) process.stdout.write('\x1b[2J\x1b[H');
              process.stdout.write(table(rows) + '\n');
            }
            const worst = rows.reduce((max, r) => Math.max(max, r.lag), 0);
            if (opts.maxLag !== undefined && worst > opts.maxLag) {
              say(`lag ${worst} exceeds --max-lag ${opts.maxLag}`);
              return 3;
            }
            if (!opts.watch) return 0;
            await sleep(opts.interval * 1000);
          }
        } finally {
          await admin.disconnect();
        }
      }),
    );
}
