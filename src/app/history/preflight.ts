import type { Config } from '../config/load.js';
import { OddsflowError } from '../../core/errors.js';
import { probeDatabase, probeKafka, probeRegistry } from '../../core/health/probes.js';

const fix = (explicit: boolean, variable: string) =>
  explicit ? `check ${variable}` : `start the local stack with \`oddsflow stack up\`, or set ${variable}`;

/**
 * What a history command needs, checked before it starts: one line naming the service that does
 * not answer and how to get it, instead of a client retrying for minutes.
 */
export async function requireServices(
  config: Config,
  needs: { kafka?: boolean; database?: boolean },
): Promise<void> {
  if (needs.kafka) {
    try {
      await probeKafka(config.kafka);
    } catch {
      throw new OddsflowError(
        'STACK_DEPENDENCY_MISSING',
        `Kafka at ${config.kafka.brokers.join(',')} does not answer: ${fix(config.explicit.kafka, 'KAFKA_BROKERS')}`,
      );
    }
    try {
      await probeRegistry(config.registry.url, config.registry.auth);
    } catch {
      throw new OddsflowError(
        'STACK_DEPENDENCY_MISSING',
        `the schema registry at ${config.registry.url} does not answer: ${fix(config.explicit.registry, 'SCHEMA_REGISTRY_URL')}`,
      );
    }
  }
  if (needs.database) {
    if (config.databaseUrl === undefined)
      throw new OddsflowError('STACK_DEPENDENCY_MISSING', `no database: ${fix(false, 'DATABASE_URL')}`);
    try {
      await probeDatabase(config.databaseUrl);
    } catch {
      throw new OddsflowError(
        'STACK_DEPENDENCY_MISSING',
        `the database (DATABASE_URL) does not answer: ${fix(config.explicit.database, 'DATABASE_URL')}`,
      );
    }
  }
}
