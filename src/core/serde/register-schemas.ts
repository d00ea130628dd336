import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { retry } from '../resilience/backoff.js';
import type { AvroSerde } from './avro-serde.js';

/**
 * Registers every topic's schema, retrying while the registry is unavailable: a registry just
 * started can answer its readiness probe and still time out its first registrations (seen on a
 * loaded 2-core machine). An incompatible or invalid schema is not retried.
 */
export async function registerSchemas(serde: AvroSerde, logger: Logger): Promise<void> {
  await retry(() => serde.registerAll(), {
    attempts: 8,
    initialMs: 500,
    maxMs: 8_000,
    onRetry: (err, attempt, delayMs) =>
      logger.warn({ attempt, delayMs }, `registering the schemas failed, retrying: ${describeError(err)}`),
  });
}
