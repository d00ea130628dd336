import { defineConfig } from 'vitest/config';

// Three projects: `unit` needs no servers; `integration` and `faults` talk to the real stack, which
// test/setup/global-stack.ts brings up (and tears down) when it is not already running.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Property-based tests run hundreds of cases; on a loaded 2-core machine 5 s is tight.
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/global-stack.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Integration tests share one broker, registry and database on a 2-core machine:
          // one file at a time keeps them from starving each other.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/global-stack.ts'],
          // After the other projects: these stop and start the shared broker, which would pull
          // the ground from under an integration test running at the same time.
          sequence: { groupOrder: 1 },
          testTimeout: 300_000,
          hookTimeout: 180_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
