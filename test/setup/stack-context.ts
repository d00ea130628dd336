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
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: TestStack;
  }
}
