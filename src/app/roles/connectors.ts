import path from 'node:path';
import { connectorModules, type ConnectorName } from '../../../connectors/registry.js';
import type { Connector, ConnectorModule, RawPublisher } from '../../../connectors/contract.js';
import { createKafkaPublisher } from '../../../connectors/runtime/kafka-publisher.js';
import type { Config } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import { ConfigError } from '../../core/errors.js';
import { createProducer } from '../../core/kafka/client.js';
import { componentLogger } from '../../core/logger.js';
import { createBreakerFactory } from '../../core/resilience/breaker.js';
import { ConnectorStatusBoard } from './connector-status.js';
import { kafkaReadiness, type RoleContext, type RunningRole } from './context.js';

/** A setting by the name a module declares it under (connectors/settings.ts made it from them). */
function settingNamed(settings: Settings, name: string): unknown {
  return (settings as Record<string, unknown>)[name];
}

/** A connector's JSON config with the credentials given by variable put in. */
function rawConfig(module: ConnectorModule, settings: Settings): Record<string, unknown> {
  const { config, credentials } = module.settings;
  const given = Object.fromEntries(
    credentials.flatMap((c) => {
      const value = settingNamed(settings, c);
      return typeof value === 'string' ? [[c, value]] : [];
    }),
  );
  const json = (settingNamed(settings, config) as Record<string, unknown> | undefined) ?? {};
  return module.settings.withCredentials(json, given);
}

export interface ResolvedConnector {
  name: ConnectorName;
  module: ConnectorModule;
  config: unknown;
}

/**
 * Every enabled connector's config, checked by its own schema before anything connects; a
 * problem names the variable and the path inside it.
 */
export function resolveConnectorConfigs(settings: Settings): ResolvedConnector[] {
  if (settings.ODDSFLOW_CONNECTORS.length === 0) {
    throw new ConfigError([
      `ODDSFLOW_CONNECTORS: no connector enabled (choose from ${Object.keys(connectorModules).join(', ')})`,
    ]);
  }
  const problems: string[] = [];
  const resolved: ResolvedConnector[] = [];
  for (const name of settings.ODDSFLOW_CONNECTORS) {
    const module = connectorModules[name] as ConnectorModule;
    const parsed = module.configSchema.safeParse(rawConfig(module, settings));
    if (parsed.success) {
      resolved.push({ name, module, config: parsed.data });
    } else {
      for (const issue of parsed.error.issues) {
        const where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
        problems.push(`${module.settings.config}${where}: ${issue.message}`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}

export function stateDirOf(config: Config): string {
  return path.resolve(config.settings.ODDSFLOW_STATE_DIR ?? path.join(config.stackDir, 'connector-state'));
}

/**
 * The connectors role: every enabled connector publishing through one idempotent producer.
 * `publisher` replaces the Kafka publisher (the demo and tests may count what is published).
 */
export async function startConnectors(ctx: RoleContext, publisher?: RawPublisher): Promise<RunningRole> {
  const resolved = resolveConnectorConfigs(ctx.config.settings);
  const producer = createProducer(ctx.kafka);
  await producer.connect();
  // Ends a publish that is waiting for an unreachable Kafka, so stop() cannot hang on it.
  const shutdown = new AbortController();
  const deps = {
    publisher:
      publisher ??
      createKafkaPublisher({
        producer,
        serde: ctx.serde,
        names: ctx.names,
        metrics: ctx.metrics,
        clock: ctx.clock,
        logger: componentLogger(ctx.logger, 'publisher'),
        signal: shutdown.signal,
        maxRecordBytes: ctx.config.settings.ODDSFLOW_MAX_RECORD_BYTES,
      }),
    breakers: createBreakerFactory(componentLogger(ctx.logger, 'breaker'), ctx.metrics),
    clock: ctx.clock,
    metrics: ctx.metrics,
    stateDir: stateDirOf(ctx.config),
  };
  const board = new ConnectorStatusBoard({
    metrics: ctx.metrics,
    logger: componentLogger(ctx.logger, 'connectors'),
  });
  const connectors: Connector[] = resolved.map(({ name, module, config }) =>
    module.create(config, {
      ...deps,
      logger: componentLogger(ctx.logger, 'connector', name),
      status: board.statusOf(name),
    }),
  );
  const stop = async () => {
    shutdown.abort();
    await Promise.all(connectors.map((c) => c.stop()));
    await producer.disconnect();
  };
  try {
    for (const connector of connectors) await connector.start();
  } catch (err) {
    // Failed for good at start (refused credentials): close what was opened, or its sockets and
    // timers would keep the process up, looking alive, after the error was reported.
    await stop().catch((stopErr: unknown) =>
      ctx.logger.warn({ err: stopErr }, 'stopping the connectors after a failed start failed too'),
    );
    throw err;
  }
  ctx.logger.info({ connectors: resolved.map((r) => r.name) }, 'connectors started');
  return {
    name: 'connectors',
    readiness: { kafka: kafkaReadiness(ctx), connectors: board.check },
    stop,
  };
}
