import type { Kafka } from 'kafkajs';
import type { Config } from '../config/load.js';
import { createTopics } from '../../core/kafka/admin.js';
import { createKafka } from '../../core/kafka/client.js';
import { groupIds, type GroupIds } from '../../core/kafka/groups.js';
import { superviseLoop, type ConsumerLoop } from '../../core/kafka/supervised-loop.js';
import { topicNames, type TopicNames } from '../../core/kafka/topics.js';
import { componentLogger, type Logger } from '../../core/logger.js';
import { describeError } from '../../core/errors.js';
import type { Metrics } from '../../core/metrics.js';
import { NotReady, Readiness, type ReadinessCheck } from '../../core/health/readiness.js';
import { probeKafka } from '../../core/health/probes.js';
import { Holds } from '../../core/resilience/hold.js';
import { AvroSerde } from '../../core/serde/avro-serde.js';
import { registerSchemas } from '../../core/serde/register-schemas.js';

/** What every role shares: config, logger, metrics, one Kafka client and one serde. */
export interface RoleContext {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  kafka: Kafka;
  serde: AvroSerde;
  names: TopicNames;
  groups: GroupIds;
  clock: { now(): number };
  /** Components holding on an infrastructure fault, shared by the role's loops and its /readyz. */
  holds: Holds;
}

/** A started role: how to stop it (gracefully) and what /readyz checks for it. */
export interface RunningRole {
  name: string;
  readiness: Record<string, ReadinessCheck>;
  /** Resolves when a part of the role stopped for good (a consumer kafkajs will not restart). */
  failed?: Promise<Error>;
  stop(): Promise<void>;
}

/**
 * Runs a consumer loop under a supervisor that starts it again when its consumer stops for good
 * (superviseLoop): at most 10 attempts in 10 minutes, 1 s to 30 s apart.
 */
export function supervised(
  ctx: RoleContext,
  name: string,
  start: () => Promise<ConsumerLoop>,
): Promise<ConsumerLoop> {
  return superviseLoop(start, {
    name,
    logger: componentLogger(ctx.logger, 'supervisor', name),
    onRestart: (loop) => ctx.metrics.consumerRestarts.inc({ component: loop }),
    backoff: { initialMs: 1_000, maxMs: 30_000 },
    maxRestarts: 10,
    windowMs: 10 * 60_000,
    clock: ctx.clock,
  });
}

/** A readiness check that fails once `failed` has resolved. */
export function aliveCheck(failed: Promise<Error>): ReadinessCheck {
  let failure: Error | undefined;
  void failed.then((err) => (failure = err));
  return () =>
    failure
      ? Promise.reject(new NotReady('CONSUMER_STOPPED', `stopped for good: ${failure.message}`))
      : Promise.resolve();
}

/** A readiness check that fails while a loop holds on an infrastructure fault (`HOLDING:<component>:<code>`). */
export function holdsCheck(holds: Holds): ReadinessCheck {
  return () => {
    const held = holds.current();
    if (held.length === 0) return Promise.resolve();
    const reason = held.map((h) => `HOLDING:${h.component}:${h.code}`).join(',');
    return Promise.reject(new NotReady(reason));
  };
}

export function createRoleContext(config: Config, logger: Logger, metrics: Metrics): RoleContext {
  const clock = { now: () => Date.now() };
  return {
    config,
    logger,
    metrics,
    kafka: createKafka(config.kafka, {
      logger: componentLogger(logger, 'kafka'),
      verbose: config.logLevel === 'debug' || config.logLevel === 'trace',
      // Consumer group members and broker logs then say which instance they are.
      clientIdSuffix: config.settings.ODDSFLOW_INSTANCE_ID,
    }),
    serde: new AvroSerde(config.registry, topicNames(config.topics.prefix)),
    names: topicNames(config.topics.prefix),
    groups: groupIds(config.topics.prefix),
    clock,
    holds: new Holds(metrics, clock),
  };
}

/**
 * Creates missing topics and registers every schema before a role starts (both idempotent), so
 * a fresh cluster works without a separate provisioning step.
 */
export async function provision(ctx: RoleContext): Promise<void> {
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    await createTopics(admin, ctx.names, ctx.config.topics);
  } finally {
    await admin.disconnect();
  }
  await registerSchemas(ctx.serde, ctx.logger);
}

export const kafkaReadiness =
  (ctx: RoleContext): ReadinessCheck =>
  async () => {
    try {
      await probeKafka(ctx.config.kafka);
    } catch (err) {
      throw new NotReady('BROKERS_UNREACHABLE', describeError(err));
    }
  };

/** The readiness of the roles a process runs, bounded and cached as the settings say. */
export function readinessOf(ctx: RoleContext, roles: readonly RunningRole[]): Readiness {
  const checks: Record<string, ReadinessCheck> = {};
  for (const role of roles) Object.assign(checks, role.readiness);
  return new Readiness(checks, {
    timeoutMs: ctx.config.settings.ODDSFLOW_READY_CHECK_TIMEOUT_MS,
    cacheMs: ctx.config.settings.ODDSFLOW_READY_CACHE_MS,
    metrics: ctx.metrics,
    logger: componentLogger(ctx.logger, 'readiness'),
    clock: ctx.clock,
  });
}
