import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/app/config/load.js';
import { stackDown, stackUp } from '../../stack/index.js';
import { dockerEngineAnswers } from './docker.js';
import type { TestStack } from './stack-context.js';

const log = (line: string): void => {
  process.stderr.write(`[test stack] ${line}\n`);
};

/**
 * Integration tests run against real services. With a Docker engine (and TEST_STACK
 * not "local") they get containers; otherwise the local stack, started here when it is not
 * running and stopped again afterwards (only what this run started).
 * The plain-PostgreSQL path uses TEST_POSTGRES_URL (default: the machine's PostgreSQL, db test).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mode = process.env.TEST_STACK ?? 'auto';
  if (mode !== 'local' && (mode === 'docker' || (await dockerEngineAnswers()))) {
    log('Docker engine found: starting containers');
    const { startContainers } = await import('./containers.js');
    const { stack, stop } = await startContainers();
    project.provide('stack', stack);
    return stop;
  }

  const config = loadConfig();
  const { endpoints, started } = await stackUp(config, log);
  const stack: TestStack = {
    source: 'local-stack',
    kafkaBrokers: endpoints.kafkaBrokers,
    schemaRegistryUrl: endpoints.schemaRegistryUrl,
    timescaleUrl: endpoints.databaseUrl,
    postgresUrl: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: endpoints.redisUrl,
    controls: { kafka: endpoints.managed.kafka, registry: endpoints.managed.registry },
  };
  project.provide('stack', stack);
  return async () => {
    if (started.length === 0) return;
    log(`stopping what this run started: ${started.join(', ')}`);
    await stackDown(config, log, started);
  };
}
