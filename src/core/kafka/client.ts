import {
  Kafka,
  logLevel as KafkaLogLevel,
  type KafkaConfig,
  type logCreator,
  type Consumer,
  type Producer,
  type ProducerConfig,
  type SASLOptions,
} from 'kafkajs';
import type { KafkaSettings } from '../config/load.js';
import type { Logger } from '../logger.js';
import { cachingDefaultPartitioner } from './partitioner.js';

const toPino = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
  [KafkaLogLevel.NOTHING]: 'silent',
} as const;

/**
 * Errors kafkajs logs on every attempt although it retries them: the broker still finishing the
 * previous transaction, or a group coordinator still loading. They matter only if the retries
 * run out, which then surfaces as a thrown error.
 */
const retriedOnPurpose =
  /another concurrent operation on the same transaction|coordinator is (loading|not available)|CONCURRENT_TRANSACTIONS/i;

/** kafkajs logs through our pino logger, as a `kafkajs` component. */
function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }) => {
      const { message, ...extra } = log;
      let method: (typeof toPino)[keyof typeof toPino] = toPino[level];
      if (method === 'error' && retriedOnPurpose.test(`${message} ${String(extra.error ?? '')}`))
        method = 'debug';
      if (method !== 'silent') child[method](extra, message);
    };
}

function saslOptions(sasl: NonNullable<KafkaSettings['sasl']>): SASLOptions {
  // kafkajs types each mechanism separately; the three share the same shape.
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username: sasl.username, password: sasl.password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
  }
}

/** Where and how to connect: shared by the clients of every role and the readiness probe. */
export function connectionOptions(settings: KafkaSettings): Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'> {
  return {
    brokers: settings.brokers,
    ssl: settings.ssl,
    ...(settings.sasl ? { sasl: saslOptions(settings.sasl) } : {}),
  };
}

export interface KafkaClientOptions {
  logger: Logger;
  /** kafkajs is chatty at INFO (every join and rebalance); WARN unless debugging. */
  verbose?: boolean;
  /** Suffix for the client id, so broker-side logs name the role. */
  clientIdSuffix?: string;
}

export function createKafka(settings: KafkaSettings, options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientIdSuffix ? `${settings.clientId}-${options.clientIdSuffix}` : settings.clientId,
    ...connectionOptions(settings),
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 10000 },
    logLevel: options.verbose ? KafkaLogLevel.INFO : KafkaLogLevel.WARN,
    logCreator: pinoLogCreator(options.logger),
  });
}

/**
 * Retries of a transactional producer that commits back to back (the processors' loop, and the
 * bench's baselines of it). The broker answers CONCURRENT_TRANSACTIONS while it still writes the
 * previous transaction's markers, 1-3 ms after the commit returns, so most back-to-back
 * transactions are refused once: a first retry after 3 ms, not createProducer's 100 ms or the
 * 10 ms used before (a transaction alone on the broker took 21 ms at p90 with 10, 14 ms with 3;
 * bench/README.md, "Waits that were not work"). Unlimited, as an idempotent producer's must be.
 */
export const transactionalRetry = {
  initialRetryTime: 3,
  maxRetryTime: 2_000,
  retries: Number.MAX_SAFE_INTEGER,
} as const;

/**
 * An idempotent producer (acks=all, no duplicates on retry) with Java's murmur2 partitioner, so a
 * key lands on the same partition whichever client wrote it. `transactionalId` makes it
 * transactional.
 */
export function createProducer(
  kafka: Kafka,
  options: Partial<Pick<ProducerConfig, 'transactionalId' | 'transactionTimeout' | 'retry'>> = {},
): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: cachingDefaultPartitioner,
    // Unlimited retries, as idempotence needs: a broker outage holds the send until the broker is
    // back instead of failing a record that may or may not have been written.
    retry: { initialRetryTime: 100, maxRetryTime: 10_000, retries: Number.MAX_SAFE_INTEGER },
    ...options,
  });
}

/** kafkajs's own cap per partition (Kafka's max.partition.fetch.bytes default). */
const partitionFetchMaxBytes = 1_048_576;

/**
 * A consumer of a role's group: reads committed records only (the processors write in
 * transactions) and never creates topics.
 */
export function createConsumer(
  kafka: Kafka,
  groupId: string,
  settings: Pick<KafkaSettings, 'consumerSessionTimeoutMs' | 'consumerFetchMaxBytes'>,
): Consumer {
  const { consumerSessionTimeoutMs: sessionTimeoutMs, consumerFetchMaxBytes: fetchMaxBytes } = settings;
  return kafka.consumer({
    groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxBytes: fetchMaxBytes,
    maxBytesPerPartition: Math.min(partitionFetchMaxBytes, fetchMaxBytes),
    sessionTimeout: sessionTimeoutMs,
    // Kafka's advice: at most a third of the session, so two lost heartbeats do not end it.
    heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeoutMs / 3)),
  });
}
