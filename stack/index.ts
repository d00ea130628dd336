import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { Config } from '../src/core/config/load.js';
import {
  removeStackEndpoints,
  writeStackEndpoints,
  type StackEndpoints,
} from '../src/core/config/endpoints.js';
import { StackError, describeError } from '../src/core/errors.js';
import { maskUrl, processSecrets } from '../src/core/secrets.js';
import { ensureArtifacts, type Progress } from './artifacts.js';
import { stackLayout } from './layout.js';
import { runningPid, stopProcess, tailOf, waitUntil } from './processes.js';
import {
  kafkaClusterSize,
  localKafkaBrokers,
  localServices,
  registryService,
  serviceKind,
  type LocalService,
  type ServiceContext,
  type ServiceName,
} from './services.js';

export type { Progress } from './artifacts.js';

export interface StackUpResult {
  endpoints: StackEndpoints;
  /** Services this call started (a caller that started them may stop them again). */
  started: ServiceName[];
  seconds: number;
}

function serviceContext(config: Config, brokers: number): ServiceContext {
  return {
    config,
    layout: stackLayout(config.stackDir),
    kafkaBrokers: config.explicit.kafka ? config.kafka.brokers : localKafkaBrokers(config, brokers),
  };
}

async function answers(service: LocalService, ctx: ServiceContext): Promise<string | undefined> {
  try {
    return await service.probe(ctx);
  } catch {
    return undefined;
  }
}

async function awaitReady(
  service: LocalService,
  ctx: ServiceContext,
  pid: number | undefined,
): Promise<string> {
  const timeoutMs = ctx.config.settings.ODDSFLOW_STACK_READY_TIMEOUT_S * 1000;
  let description = '';
  const { ok, lastError } = await waitUntil(async () => {
    if (pid !== undefined && runningPid(service.pidFile(ctx.layout), service.processMarker) === undefined) {
      const tail = tailOf(service.logFile(ctx.layout), 3);
      throw new StackError(
        'STACK_START_FAILED',
        service.name,
        `process exited during start-up: ${tail || 'no output'}`,
      );
    }
    description = await service.probe(ctx);
    return true;
  }, timeoutMs);
  if (lastError instanceof StackError && lastError.code === 'STACK_START_FAILED') throw lastError;
  if (!ok) {
    throw new StackError(
      'STACK_NOT_READY',
      service.name,
      `not ready after ${timeoutMs / 1000} s (${describeError(lastError)}): ${service.hint(ctx)}`,
    );
  }
  return description;
}

/**
 * Brings up what is not configured elsewhere: Kafka, the schema registry, the embedded
 * TimescaleDB and Redis. Idempotent: a service that already answers is reused, not restarted.
 */
export async function stackUp(config: Config, progress: Progress): Promise<StackUpResult> {
  const began = Date.now();
  const layout = stackLayout(config.stackDir);
  mkdirSync(layout.stackDir, { recursive: true });
  const brokers = kafkaClusterSize(config);
  const ctx = serviceContext(config, brokers);
  const services = localServices(brokers);
  const started: ServiceName[] = [];
  const managed = { kafka: false, registry: false, timescale: false, redis: false };

  const needsJava = services.some(
    (s) => (serviceKind(s.name) === 'kafka' || s === registryService) && !s.configured(config),
  );
  if (needsJava) await ensureArtifacts(layout, progress);

  const bringUp = async (service: LocalService): Promise<void> => {
    const since = Date.now();
    const ourPid = runningPid(service.pidFile(layout), service.processMarker);
    if (service.configured(config)) {
      const description = await awaitReady(service, ctx, undefined);
      progress(
        `${service.name}: using ${service.name === 'timescale' ? 'DATABASE_URL' : maskUrl(service.endpoint(ctx), 'secret')} (${description})`,
      );
      return;
    }
    const existing = await answers(service, ctx);
    if (existing !== undefined) {
      // Ours only if we hold its pid: a service found answering is someone else's to stop.
      managed[serviceKind(service.name)] ||= ourPid !== undefined;
      progress(
        `${service.name}: already running at ${maskUrl(service.endpoint(ctx), 'secret')}${ourPid ? ` (pid ${ourPid})` : ''} (${existing})`,
      );
      return;
    }
    let pid = ourPid;
    if (pid === undefined) {
      pid = await service.start(ctx);
      started.push(service.name);
      progress(`${service.name}: started (pid ${pid}), waiting until it answers at ${service.endpoint(ctx)}`);
    } else {
      progress(`${service.name}: pid ${pid} is running but not answering yet; waiting`);
    }
    managed[serviceKind(service.name)] = true;
    const description = await awaitReady(service, ctx, pid);
    progress(`${service.name}: ready in ${((Date.now() - since) / 1000).toFixed(1)} s (${description})`);
  };

  // The registry keeps its schemas in Kafka, so it waits for the broker; the rest start together.
  const independent = services.filter((s) => s !== registryService);
  try {
    const results = await Promise.allSettled(independent.map(bringUp));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    await bringUp(registryService);
  } catch (err) {
    // A half-started stack helps no one, and nobody would stop what this call started.
    if (started.length > 0) {
      progress(`stack: start-up failed; stopping what this run started (${started.join(', ')})`);
      await stackDown(config, progress, started).catch(() => undefined);
    }
    throw err;
  }

  const endpoints: StackEndpoints = {
    kafkaBrokers: ctx.kafkaBrokers,
    schemaRegistryUrl: config.registry.url,
    databaseUrl: services.find((s) => s.name === 'timescale')!.endpoint(ctx),
    redisUrl: config.redisUrl,
    managed,
    writtenAt: new Date().toISOString(),
  };
  return {
    endpoints: writeStackEndpoints(config.stackDir, endpoints),
    started,
    seconds: (Date.now() - began) / 1000,
  };
}

/**
 * Stops the services this stack manages, the registry first (it writes to Kafka), and leaves
 * their data in place. `only` limits it to some services (the test setup stops what it started).
 */
export async function stackDown(
  config: Config,
  progress: Progress,
  only?: readonly ServiceName[],
): Promise<ServiceName[]> {
  const layout = stackLayout(config.stackDir);
  const stopped: ServiceName[] = [];
  const failures: string[] = [];
  for (const service of localServices(kafkaClusterSize(config)).reverse()) {
    if (only && !only.includes(service.name)) continue;
    const pid = runningPid(service.pidFile(layout), service.processMarker);
    if (pid === undefined) continue;
    progress(`${service.name}: stopping pid ${pid}`);
    if (await stopProcess(pid, service.stopGraceMs)) {
      stopped.push(service.name);
      rmSync(service.pidFile(layout), { force: true });
    } else failures.push(`${service.name} (pid ${pid})`);
  }
  if (!only) removeStackEndpoints(config.stackDir);
  if (failures.length > 0) {
    throw new StackError('STACK_START_FAILED', 'stack', `could not stop ${failures.join(', ')}`);
  }
  return stopped;
}

export interface ServiceStatus {
  name: ServiceName;
  endpoint: string;
  /** user: configured by environment; stack: a process of ours; external: found answering, not ours. */
  managedBy: 'stack' | 'user' | 'external';
  pid: number | null;
  rssMb: number | null;
  ready: boolean;
  detail: string;
}

function rssMb(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

export async function stackStatus(config: Config): Promise<ServiceStatus[]> {
  const layout = stackLayout(config.stackDir);
  const brokers = kafkaClusterSize(config);
  const ctx = serviceContext(config, brokers);
  return Promise.all(
    localServices(brokers).map(async (service) => {
      const pid = runningPid(service.pidFile(layout), service.processMarker) ?? null;
      let ready = false;
      let detail: string;
      try {
        detail = await service.probe(ctx);
        ready = true;
      } catch (err) {
        // Printed as JSON on stdout too, where no logger redacts: a driver's message may quote the URL.
        detail = processSecrets.redact(`not answering: ${describeError(err)}`);
      }
      return {
        name: service.name,
        endpoint:
          service.name === 'timescale' && service.configured(config)
            ? 'DATABASE_URL'
            : maskUrl(service.endpoint(ctx), 'secret'),
        managedBy: service.configured(config) ? 'user' : pid !== null ? 'stack' : 'external',
        pid,
        rssMb: pid === null ? null : rssMb(pid),
        ready,
        detail,
      } satisfies ServiceStatus;
    }),
  );
}
