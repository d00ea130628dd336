import pg from 'pg';
import { Redis } from 'ioredis';
import type { Config } from '../config/load.js';
import { ConfigError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

/**
 * A pg pool for the configured database, bounded in time: a statement the server runs longer than
 * ODDSFLOW_DB_QUERY_TIMEOUT_MS is cancelled there (statement_timeout), and a reply that never comes
 * (a server gone silent) fails the query on our side shortly after (query_timeout). Both surface
 * as retriable errors, and the sink drops the connection and retries the batch.
 */
export function createDatabasePool(config: Config, logger: Logger): pg.Pool {
  if (!config.databaseUrl) {
    throw new ConfigError([
      'DATABASE_URL: not set and no local stack is running (npm run stack:up starts an embedded TimescaleDB)',
    ]);
  }
  const timeoutMs = config.settings.ODDSFLOW_DB_QUERY_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: config.settings.ODDSFLOW_DB_POOL_MAX,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 10_000,
    statement_timeout: timeoutMs,
    // Later than the server's own timeout, which leaves the connection usable: this one is for
    // replies that never come.
    query_timeout: timeoutMs + 2_000,
  });
  // An idle client losing its socket (database restart) must not crash the process; the next
  // query reconnects, and a failing one surfaces as a StoreError in the sink.
  pool.on('error', (err) => logger.warn({ err }, 'database connection lost'));
  return pool;
}

/**
 * A Redis client that reconnects forever with a capped backoff and queues commands while
 * reconnecting (the Redis sink bounds how long a batch may wait).
 */
export function createRedisClient(config: Config, logger: Logger): Redis {
  const redis = new Redis(config.redisUrl, {
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(200 * attempt, 5_000),
    lazyConnect: false,
  });
  let warned = false;
  redis.on('error', (err) => {
    if (!warned) logger.warn({ err }, 'redis connection lost; reconnecting');
    warned = true;
  });
  redis.on('ready', () => {
    if (warned) logger.info('redis connection back');
    warned = false;
  });
  return redis;
}
