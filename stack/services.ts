import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Config } from '../src/core/config/load.js';
import { probeDatabase, probeKafka, probeRedis, probeRegistry } from '../src/core/health/probes.js';
import { StackError } from '../src/core/errors.js';
import { maskUrl } from '../src/core/secrets.js';
import { z } from 'zod';
import { kafkaNodeLayout, log4jConfigFile, stackLayout, type StackLayout } from './layout.js';
import { run, spawnDaemon, which } from './processes.js';

export type ServiceName = 'kafka' | `kafka-${number}` | 'registry' | 'timescale' | 'redis';

export interface ServiceContext {
  config: Config;
  layout: StackLayout;
  /** The brokers clients use: KAFKA_BROKERS, or every node of the local cluster. */
  kafkaBrokers: string[];
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

/** Node n of the local cluster serves clients on base + 2(n − 1) and its controller on the port after. */
export function kafkaNodePort(basePort: number, node: number): number {
  return basePort + 2 * (node - 1);
}

export function localKafkaBrokers(config: Config, count: number): string[] {
  const base = config.settings.ODDSFLOW_STACK_KAFKA_PORT;
  return Array.from({ length: count }, (_, i) => `${kafkaHost}:${kafkaNodePort(base, i + 1)}`);
}

const clusterSchema = z.object({ brokers: z.number().int().positive(), clusterId: z.string().min(1) });

function readCluster(layout: StackLayout): z.infer<typeof clusterSchema> | undefined {
  if (!existsSync(layout.kafka.cluster)) return undefined;
  return clusterSchema.parse(JSON.parse(readFileSync(layout.kafka.cluster, 'utf8')));
}

/**
 * How many brokers the local cluster has: ODDSFLOW_STACK_KAFKA_BROKERS (`stack up --brokers`), or
 * what the stack's storage was formatted for, or one. A formatted cluster cannot change size: its
 * controllers' quorum is written into every node's storage.
 */
export function kafkaClusterSize(config: Config): number {
  const layout = stackLayout(config.stackDir);
  const formatted = readCluster(layout)?.brokers;
  const wanted = config.settings.ODDSFLOW_STACK_KAFKA_BROKERS;
  if (wanted !== undefined && formatted !== undefined && wanted !== formatted) {
    throw new StackError(
      'STACK_START_FAILED',
      'kafka',
      `the stack's Kafka storage is a ${formatted}-broker cluster: run with --brokers ${formatted}, or stop the stack and remove ${layout.kafka.dir} to start a ${wanted}-broker one`,
    );
  }
  return wanted ?? formatted ?? 1;
}

function kafkaProperties(ctx: ServiceContext, node: number, count: number): string {
  const base = ctx.config.settings.ODDSFLOW_STACK_KAFKA_PORT;
  const port = kafkaNodePort(base, node);
  const voters = Array.from(
    { length: count },
    (_, i) => `${i + 1}@${kafkaHost}:${kafkaNodePort(base, i + 1) + 1}`,
  );
  // Internal topics as the contract's topics get them (src/core/kafka/admin.ts): three copies on a
  // cluster of three or more, a write acknowledged by two.
  const replicas = Math.min(3, count);
  const minIsr = replicas >= 3 ? 2 : 1;
  return [
    '# Written by `oddsflow stack up` on every start; edit ODDSFLOW_STACK_* settings instead.',
    'process.roles=broker,controller',
    `node.id=${node}`,
    `controller.quorum.voters=${voters.join(',')}`,
    `listeners=PLAINTEXT://${kafkaHost}:${port},CONTROLLER://${kafkaHost}:${port + 1}`,
    `advertised.listeners=PLAINTEXT://${kafkaHost}:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${kafkaNodeLayout(ctx.layout, node).data}`,
    'num.partitions=1',
    // Topics created by others with the broker's defaults (the registry's kafkasql journal,
    // snapshots and events) get the same, or the registry would lose its storage with one broker.
    `default.replication.factor=${replicas}`,
    `min.insync.replicas=${minIsr}`,
    `offsets.topic.replication.factor=${replicas}`,
    'offsets.topic.num.partitions=10',
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${minIsr}`,
    'transaction.state.log.num.partitions=10',
    `share.coordinator.state.topic.replication.factor=${replicas}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    // Consumers of a fresh group start at once instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms=0',
    // An offset commit is answered when written, not after waiting 5 ms (Kafka 4's default) for
    // others to batch with: a sink commits after every partition's batch and waits for the answer,
    // so a fetch of six partitions could wait 30 ms (bench/README.md, "Waits that were not work").
    'group.coordinator.append.linger.ms=0',
    // Topics come from `oddsflow topics create`, never from a typo in a producer.
    'auto.create.topics.enable=false',
    'log.retention.check.interval.ms=60000',
    '',
  ].join('\n');
}

/** Node `node` of a local cluster of `count` brokers (node 1 alone is the usual one-broker stack). */
export function kafkaNodeService(node: number, count: number): LocalService {
  const name: ServiceName = node === 1 ? 'kafka' : `kafka-${node}`;
  const address = (ctx: ServiceContext) =>
    `${kafkaHost}:${kafkaNodePort(ctx.config.settings.ODDSFLOW_STACK_KAFKA_PORT, node)}`;
  return {
    name,
    endpoint: (ctx) => (ctx.config.explicit.kafka ? ctx.kafkaBrokers.join(',') : address(ctx)),
    async probe(ctx) {
      const brokers = ctx.config.explicit.kafka ? ctx.kafkaBrokers : [address(ctx)];
      const answer = await probeKafka({ ...ctx.config.kafka, brokers });
      return `${answer.brokers} broker(s)`;
    },
    async start(ctx) {
      const files = kafkaNodeLayout(ctx.layout, node);
      mkdirSync(files.data, { recursive: true });
      writeFileSync(files.properties, kafkaProperties(ctx, node, count));
      const java = which('java') ?? 'java';
      const classpath = path.join(ctx.layout.kafka.libs, '*');
      if (!existsSync(path.join(files.data, 'meta.properties'))) {
        // Every node of a cluster is formatted with the same id: 16 random bytes, base64url
        // without padding (Kafka's Uuid.toString), kept beside the storage.
        let cluster = readCluster(ctx.layout);
        if (!cluster) {
          cluster = { brokers: count, clusterId: randomBytes(16).toString('base64url') };
          writeFileSync(ctx.layout.kafka.cluster, JSON.stringify(cluster) + '\n');
        }
        await run(
          java,
          // `=`: an id may start with '-', which the tool's parser would take for an option.
          [
            '-cp',
            classpath,
            'kafka.tools.StorageTool',
            'format',
            `--cluster-id=${cluster.clusterId}`,
            '-c',
            files.properties,
          ],
          files.dir,
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
          files.properties,
        ],
        cwd: files.dir,
        logFile: files.log,
        pidFile: files.pid,
      });
    },
    pidFile: (layout) => kafkaNodeLayout(layout, node).pid,
    processMarker: 'kafka.Kafka',
    logFile: (layout) => kafkaNodeLayout(layout, node).log,
    stopGraceMs: 20_000,
    configured: (config) => config.explicit.kafka,
    hint: (ctx) =>
      ctx.config.explicit.kafka
        ? `no broker answers at KAFKA_BROKERS=${ctx.kafkaBrokers.join(',')}: start it or unset KAFKA_BROKERS to use the local stack`
        : `the local broker did not become ready: see ${kafkaNodeLayout(ctx.layout, node).log} (port ${address(ctx)} taken? set ODDSFLOW_STACK_KAFKA_PORT)`,
  };
}

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
          // A light service (schemas are registered once, then cached by every client): the
          // client compiler only and the serial collector start it in 10.3 s instead of 11.6
          // (mean of 6 and 5 starts on 2 cores), and each stack start pays for it.
          '-XX:TieredStopAtLevel=1',
          '-XX:+UseSerialGC',
          `-Dquarkus.http.port=${s.ODDSFLOW_STACK_REGISTRY_PORT}`,
          '-Dquarkus.http.host=127.0.0.1',
          // In-memory storage would forget schema ids on restart while Kafka still holds
          // messages that name them; kafkasql keeps them in a topic of the same broker.
          '-Dapicurio.storage.kind=kafkasql',
          `-Dapicurio.kafkasql.bootstrap.servers=${ctx.kafkaBrokers.join(',')}`,
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
      ? `no schema registry answers at SCHEMA_REGISTRY_URL=${maskUrl(ctx.config.registry.url, 'secret')}`
      : `the local registry did not become ready: see ${ctx.layout.registry.log} (port ${ctx.config.settings.ODDSFLOW_STACK_REGISTRY_PORT} taken? set ODDSFLOW_STACK_REGISTRY_PORT)`,
};

export function timescaleServerEntry(): { args: string[] } {
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
        `nothing answers at ${maskUrl(ctx.config.redisUrl, 'secret')} and redis-server is not installed: install it (apt install redis-server) or set REDIS_URL`,
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
  hint: (ctx) =>
    `no Redis answers at ${maskUrl(ctx.config.redisUrl, 'secret')}: start redis-server or set REDIS_URL`,
};

/**
 * The services of a stack with `brokers` Kafka nodes, in start order: the registry keeps its
 * schemas in Kafka, so it comes after the brokers.
 */
export function localServices(brokers: number): LocalService[] {
  return [
    ...Array.from({ length: brokers }, (_, i) => kafkaNodeService(i + 1, brokers)),
    timescaleService,
    redisService,
    registryService,
  ];
}

/** Which of endpoints.json's `managed` flags a service counts under. */
export function serviceKind(name: ServiceName): 'kafka' | 'registry' | 'timescale' | 'redis' {
  return name.startsWith('kafka') ? 'kafka' : (name as 'registry' | 'timescale' | 'redis');
}
