import { KafkaContainer } from '@testcontainers/kafka';
import { GenericContainer, Network, Wait, type StartedTestContainer } from 'testcontainers';
import type { TestStack } from './stack-context.js';

/**
 * The same four services as the local stack, as containers, for machines with a Docker engine.
 * Images match docker-compose.yml.
 */
export async function startContainers(): Promise<{ stack: TestStack; stop: () => Promise<void> }> {
  const network = await new Network().start();
  const started: StartedTestContainer[] = [];
  try {
    const [kafka, timescale, redis] = await Promise.all([
      new KafkaContainer('confluentinc/cp-kafka:7.9.1')
        .withKraft()
        .withNetwork(network)
        .withNetworkAliases('kafka')
        .start(),
      new GenericContainer('timescale/timescaledb:2.23.0-pg17')
        .withEnvironment({ POSTGRES_PASSWORD: 'oddsflow', POSTGRES_DB: 'oddsflow' })
        .withExposedPorts(5432)
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .start(),
      new GenericContainer('redis:7-alpine').withExposedPorts(6379).start(),
    ]);
    started.push(kafka, timescale, redis);
    const registry = await new GenericContainer('confluentinc/cp-schema-registry:7.9.1')
      .withNetwork(network)
      .withExposedPorts(8081)
      .withEnvironment({
        SCHEMA_REGISTRY_HOST_NAME: 'schema-registry',
        SCHEMA_REGISTRY_LISTENERS: 'http://0.0.0.0:8081',
        SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: 'PLAINTEXT://kafka:9092',
      })
      .withWaitStrategy(Wait.forHttp('/subjects', 8081).forStatusCode(200))
      .start();
    started.push(registry);
    return {
      stack: {
        source: 'testcontainers',
        kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
        schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8081)}`,
        timescaleUrl: `postgres://postgres:oddsflow@${timescale.getHost()}:${timescale.getMappedPort(5432)}/oddsflow`,
        postgresUrl: `postgres://postgres:oddsflow@${timescale.getHost()}:${timescale.getMappedPort(5432)}/oddsflow`,
        redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
        controls: { kafka: false, registry: false },
      },
      stop: async () => {
        await Promise.all(started.map((c) => c.stop()));
        await network.stop();
      },
    };
  } catch (err) {
    await Promise.allSettled(started.map((c) => c.stop()));
    await network.stop().catch(() => undefined);
    throw err;
  }
}
