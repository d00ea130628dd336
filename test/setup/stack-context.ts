import 'vitest';

/** What the integration tests connect to, decided once by the global setup. */
export interface TestStack {
  source: 'local-stack' | 'testcontainers';
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  /** A database with the timescaledb extension (hypertable path). */
  timescaleUrl: string;
  /** A plain PostgreSQL database (no extension path). */
  postgresUrl: string;
  redisUrl: string;
  /**
   * Services whose processes the local stack runs (and so a test may stop and start again).
   * A service found already answering, or given by environment, is someone else's.
   */
  controls: { kafka: boolean; registry: boolean };
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: TestStack;
  }
}
