import type { Command } from 'commander';
import { startHealthServer } from '../../../core/health/server.js';
import { startLagMonitor } from '../../ops/lag-monitor.js';
import { collectProcessMetrics, createMetrics } from '../../../core/metrics.js';
import { OddsflowError } from '../../../core/errors.js';
import { withTimeout } from '../../../core/resilience/timeout.js';
import {
  createRoleContext,
  provision,
  readinessOf,
  type RoleContext,
  type RunningRole,
} from '../../roles/context.js';
import { onShutdownSignal } from '../../roles/lifecycle.js';
import { runCommand } from '../context.js';

type RoleStarter = (ctx: RoleContext) => Promise<RunningRole>;

/**
 * In start order for `all`: stores and processors first, so the first raw records find them. Each
 * role's modules are loaded only when it runs: the processors do not load the sinks' Redis client
 * or the connectors' runtime and breakers. (pg and ws still come with every role: the sinks' and
 * connectors' settings are declared by their modules, which the configuration reads.)
 */
const roleStarters: Record<string, () => Promise<RoleStarter>> = {
  sinks: async () => (await import('../../roles/sinks.js')).startSinks,
  processors: async () => (await import('../../roles/processors.js')).startProcessors,
  connectors: async () => {
    const { startConnectors } = await import('../../roles/connectors.js');
    return (ctx) => startConnectors(ctx);
  },
};

export const roleNames = ['connectors', 'processors', 'sinks', 'all'] as const;

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description(
      'run a long-lived role with /metrics, /healthz and /readyz on ODDSFLOW_HTTP_PORT; SIGTERM stops it gracefully',
    )
    .requiredOption('--role <role>', `one of ${roleNames.join(', ')}`)
    .action((opts: { role: string }) =>
      runCommand(async ({ config, logger }) => {
        const wanted = opts.role === 'all' ? Object.keys(roleStarters) : [opts.role];
        const unknown = wanted.filter((r) => !(r in roleStarters));
        if (unknown.length > 0) {
          throw new Error(
            `--role ${opts.role}: unknown or not available here (${Object.keys(roleStarters).join(', ')}, all)`,
          );
        }
        const starters = new Map(
          await Promise.all(wanted.map(async (role) => [role, await roleStarters[role]!()] as const)),
        );
        // Fail on a bad connector config before connecting to anything.
        if (wanted.includes('connectors'))
          (await import('../../roles/connectors.js')).resolveConnectorConfigs(config.settings);
        const metrics = createMetrics();
        collectProcessMetrics(metrics);
        const ctx = createRoleContext(config, logger, metrics);
        await provision(ctx);
        const roles: RunningRole[] = [];
        try {
          for (const role of wanted) roles.push(await starters.get(role)!(ctx));
        } catch (err) {
          // One role failed to start: the others must not keep the process up after the error.
          await Promise.all(roles.map((r) => r.stop())).catch((stopErr: unknown) =>
            logger.warn({ err: stopErr }, 'stopping the started roles after a failed start failed too'),
          );
          throw err;
        }
        const groups = [
          ...(wanted.includes('processors') ? [ctx.groups.prepare, ctx.groups.enrich] : []),
          ...(wanted.includes('sinks') ? [ctx.groups.sinkTimescale, ctx.groups.sinkRedis] : []),
        ];
        const lagMonitor =
          groups.length > 0
            ? await startLagMonitor(ctx.kafka, () => Promise.resolve(groups), { metrics, logger })
            : undefined;
        const health = await startHealthServer({
          port: config.settings.ODDSFLOW_HTTP_PORT,
          host: config.settings.ODDSFLOW_HTTP_HOST,
          metrics,
          readiness: readinessOf(ctx, roles),
        });
        logger.info(
          { roles: wanted, httpPort: health.port },
          `running ${wanted.join(', ')}; metrics on ${config.settings.ODDSFLOW_HTTP_HOST}:${health.port}/metrics`,
        );
        const stopTimeoutMs = config.settings.ODDSFLOW_STOP_TIMEOUT_S * 1000;
        // A store that never answers must not keep the process from exiting: past the bound the
        // batch in flight is abandoned uncommitted (it is read again after the restart).
        const stopAll = () =>
          withTimeout(
            (async () => {
              await Promise.all(roles.map((r) => r.stop()));
              await lagMonitor?.stop();
              await health.close();
            })(),
            stopTimeoutMs,
            () =>
              new OddsflowError(
                'SHUTDOWN_TIMED_OUT',
                `not stopped within ODDSFLOW_STOP_TIMEOUT_S (${stopTimeoutMs / 1000} s); exiting with the batch in flight uncommitted`,
              ),
          );
        onShutdownSignal(logger, stopAll);
        // A consumer that stopped for good: fail loudly so that a supervisor restarts the role,
        // rather than run on looking healthy while reading nothing.
        const failures = roles.flatMap((r) => (r.failed ? [r.failed] : []));
        if (failures.length > 0) {
          void Promise.race(failures).then(async (err) => {
            logger.fatal({ err }, 'a consumer stopped for good; exiting with code 1');
            await stopAll().catch(() => undefined);
            process.exit(1);
          });
        }
        // Keep the process alive until a signal stops it.
        await new Promise<never>(() => undefined);
      }),
    );
}
