import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Config } from '../src/config/load.js';
import { probeDatabase, probeKafka, probeRedis, probeRegistry } from '../src/health/probes.js';
import { StackError } from '../src/errors.js';
import { log4jConfigFile, type StackLayout } from './layout.js';
import { run, spawnDaemon, which } from './processes.js';

export type ServiceName = 'kafka' | 'registry' | 'timescale' | 'redis';

export interface ServiceContext {
  config: Config;
  layout: StackLayout;
}

/** One service of the local stack: how to reach it, check it, and (when ours) start it. */
export interface LocalService {
  name: ServiceName;
  /** The address clients use, as written to endpoints.json. */
  endpoint(ctx: ServiceContext): string;
  /** Resolves with a short description when the service answers; throws otherwise. */
  probe(ctx: ServiceContext): Promise<string>;
  /** Spawns the service detached and returns its pid. */
  start(ctx: ServiceContext): Promise<number>;
  pidFile(layout: StackLayout): string;
  /** Part of the service's command line, which tells it from another process with a reused pid. */
  processMarker: string;
  logFile(layout: StackLayout): string;
  /** Time a SIGTERM gets before SIGKILL. */
  stopGraceMs: number;
  /** Whether the user configured this service, so the stack must not start its own. */
  configured(config: Config): boolean;
  /** What to do when it does not answer. */
  hint(ctx: ServiceContext): string;
}

const kafkaHost = '127.0.0.1';

function kafkaProperties(ctx: ServiceContext): string {
  const port = ctx.config.settings.ODDSFLOW_STACK_KAFKA_PORT;
  const controllerPort = port + 1;
  return [
    '# Written by `oddsflow stack up` on every start; edit ODDSFLOW_STACK_* settings instead.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${kafkaHost}:${controllerPort}`,
    `listeners=PLAINTEXT://${kafkaHost}:${port},CONTROLLER://${kafkaHost}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${kafkaHost}:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${ctx.layout.kafka.data}`,
    'num.partitions=1',
    // One node: every internal topic has a single replica.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=10',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // Consumers of a fresh group start at once instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms=0',
    // Topics come from `oddsflow topics create`, never from a typo in a producer.
    'auto.create.topics.enable=false',
    'log.retention.check.interval.ms=60000',
    '',
  ].join('\n');
}

export const kafkaService: LocalService = {
  name: 'kafka',
  endpoint: (ctx) => ctx.config.kafka.brokers.join(','),
  async probe(ctx) {
    const { brokers } = await probeKafka(ctx.config.kafka);
    return `${brokers} broker(s)`;
  },
  async start(ctx) {
    const { kafka } = ctx.layout;
    mkdirSync(kafka.data, { recursive: true });
    writeFileSync(kafka.properties, kafkaProperties(ctx));
    const java = which('java') ?? 'java';
    const classpath = path.join(kafka.libs, '*');
    if (!existsSync(path.join(kafka.data, 'meta.properties'))) {
      // A cluster id is 16 random bytes, base64url without padding (Kafka's Uuid.toString).
      const clusterId = randomBytes(16).toString('base64url');
      await run(
        java,
        ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', kafka.properties],
        kafka.dir,
      );
    }
    const heap = `${ctx.config.settings.ODDSFLOW_STACK_KAFKA_HEAP_MB}m`;
    return spawnDaemon({
      command: java,
      args: [
        `-Xmx${heap}`,
        `-Xms${heap}`,
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${log4jConfigFile}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        kafka.properties,
      ],
      cwd: kafka.dir,
      logFile: kafka.log,
      pidFile: kafka.pid,
    });
  },
  pidFile: (layout) => layout.kafka.pid,
  processMarker: 'kafka.Kafka',
  logFile: (layout) => layout.kafka.log,
  stopGraceMs: 20_000,
  configured: (config) => config.explicit.kafka,
  hint: (ctx) =>
    ctx.config.explicit.kafka
      ? `no broker answers at KAFKA_BROKERS=${ctx.config.kafka.brokers.join(',')}: start it or unset KAFKA_BROKERS to use the local stack`
      : `the local broker did not become ready: see ${ctx.layout.kafka.log} (port ${ctx.config.settings.ODDSFLOW_STACK_KAFKA_PORT} taken? set ODDSFLOW_STACK_KAFKA_PORT)`,
};

export const registryService: LocalService = {
  name: 'registry',
  endpoint: (ctx) => ctx.config.registry.url,
  async probe(ctx) {
    const { subjects } = await probeRegistry(ctx.config.registry.url, ctx.config.registry.auth);
    return `${subjects} subject(s)`;
  },
  start(ctx) {
    const { registry } = ctx.layout;
    const s = ctx.config.settings;
    return Promise.resolve(
      spawnDaemon({
        command: which('java') ?? 'java',
        args: [
          `-Xmx${s.ODDSFLOW_STACK_REGISTRY_HEAP_MB}m`,
          `-Dquarkus.http.port=${s.ODDSFLOW_STACK_REGISTRY_PORT}`,
          '-Dquarkus.http.host=127.0.0.1',
          // In-memory storage would forget schema ids on restart while Kafka still holds
          // messages that name them; kafkasql keeps them in a topic of the same broker.
          '-Dapicurio.storage.kind=kafkasql',
          `-Dapicurio.kafkasql.bootstrap.servers=${ctx.config.kafka.brokers.join(',')}`,
          '-Dquarkus.http.access-log.enabled=false',
          '-jar',
          registry.jar,
        ],
        cwd: registry.dir,
        logFile: registry.log,
        pidFile: registry.pid,
      }),
    );
  },
  pidFile: (layout) => layout.registry.pid,
  processMarker: 'apicurio-registry-app',
  logFile: (layout) => layout.registry.log,
  stopGraceMs: 10_000,
  configured: (config) => config.explicit.registry,
  hint: (ctx) =>
    ctx.config.explicit.registry
      ? `no schema registry answers at SCHEMA_REGISTRY_URL=${ctx.config.registry.url}`
      : `the local registry did not become ready: see ${ctx.layout.registry.log} (port ${ctx.config.settings.ODDSFLOW_STACK_REGISTRY_PORT} taken? set ODDSFLOW_STACK_REGISTRY_PORT)`,
};

function timescaleServerEntry(): { args: string[] } {
  // From source (tsx) the server is a .ts file that needs the tsx loader; built, it is plain JS.
  const here = fileURLToPath(import.meta.url);
  // The loader by absolute URL: the daemon runs in the stack directory, which may lie outside
  // the project (ODDSFLOW_STACK_DIR), where a bare `tsx` would not resolve.
  return here.endsWith('.ts')
    ? {
        args: [
          '--import',
          pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
          path.join(path.dirname(here), 'timescale-server.ts'),
        ],
      }
    : { args: [path.join(path.dirname(here), 'timescale-server.js')] };
}

export const timescaleService: LocalService = {
  name: 'timescale',
  endpoint: (ctx) =>
    ctx.config.explicit.database && ctx.config.databaseUrl
      ? ctx.config.databaseUrl
      : `postgres://postgres@127.0.0.1:${ctx.config.settings.ODDSFLOW_STACK_TIMESCALE_PORT}/postgres`,
  async probe(ctx) {
    const { version, timescale } = await probeDatabase(timescaleService.endpoint(ctx));
    return `PostgreSQL ${version}${timescale ? `, TimescaleDB ${timescale}` : ' (no timescaledb extension)'}`;
  },
  start(ctx) {
    const { timescale } = ctx.layout;
    mkdirSync(timescale.data, { recursive: true });
    return Promise.resolve(
      spawnDaemon({
        command: process.execPath,
        args: [
          ...timescaleServerEntry().args,
          '--port',
          String(ctx.config.settings.ODDSFLOW_STACK_TIMESCALE_PORT),
          '--data-dir',
          timescale.data,
          '--hold-timeout-ms',
          String(ctx.config.settings.ODDSFLOW_STACK_TIMESCALE_HOLD_TIMEOUT_MS),
          '--queue-timeout-ms',
          String(ctx.config.settings.ODDSFLOW_STACK_TIMESCALE_QUEUE_TIMEOUT_MS),
        ],
        cwd: timescale.dir,
        logFile: timescale.log,
        pidFile: timescale.pid,
      }),
    );
  },
  pidFile: (layout) => layout.timescale.pid,
  processMarker: 'timescale-server',
  logFile: (layout) => layout.timescale.log,
  stopGraceMs: 15_000,
  configured: (config) => config.explicit.database,
  hint: (ctx) =>
    ctx.config.explicit.database
      ? 'no database answers at DATABASE_URL: start PostgreSQL/TimescaleDB or unset DATABASE_URL to use the embedded TimescaleDB'
      : `the embedded TimescaleDB did not become ready: see ${ctx.layout.timescale.log}`,
};

export const redisService: LocalService = {
  name: 'redis',
  endpoint: (ctx) => ctx.config.redisUrl,
  async probe(ctx) {
    const { version } = await probeRedis(ctx.config.redisUrl);
    return `Redis ${version}`;
  },
  start(ctx) {
    const server = which('redis-server');
    if (!server) {
      throw new StackError(
        'STACK_DEPENDENCY_MISSING',
        'redis',
        `nothing answers at ${ctx.config.redisUrl} and redis-server is not installed: install it (apt install redis-server) or set REDIS_URL`,
      );
    }
    const { redis } = ctx.layout;
    mkdirSync(redis.dir, { recursive: true });
    return Promise.resolve(
      spawnDaemon({
        command: server,
        args: [
          '--port',
          String(ctx.config.settings.ODDSFLOW_STACK_REDIS_PORT),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          redis.dir,
        ],
        cwd: redis.dir,
        logFile: redis.log,
        pidFile: redis.pid,
      }),
    );
  },
  pidFile: (layout) => layout.redis.pid,
  processMarker: 'redis-server',
  logFile: (layout) => layout.redis.log,
  stopGraceMs: 5_000,
  configured: (config) => config.explicit.redis,
  hint: (ctx) => `no Redis answers at ${ctx.config.redisUrl}: start redis-server or set REDIS_URL`,
};

/** In start order: the registry keeps its schemas in Kafka, so it comes after the broker. */
export const localServices: readonly LocalService[] = [
  kafkaService,
  timescaleService,
  redisService,
  registryService,
];
