import type { Kafka } from 'kafkajs';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { measureLag } from './lag.js';

/**
 * Exports `oddsflow lag`'s numbers as the oddsflow_consumer_lag gauge, refreshed every
 * `intervalMs`, for the groups of the roles this process runs.
 */
export async function startLagMonitor(
  kafka: Kafka,
  groups: readonly string[],
  deps: { metrics: Metrics; logger: Logger },
  intervalMs = 15_000,
): Promise<{ stop(): Promise<void> }> {
  const admin = kafka.admin();
  await admin.connect();
  let running: Promise<void> = Promise.resolve();
  const refresh = async (): Promise<void> => {
    try {
      for (const row of await measureLag(admin, {
        groups: [...groups],
        now: Date.now(),
        horizonMs: 3_600_000,
      })) {
        deps.metrics.consumerLag.set(
          { group: row.group, topic: row.topic, partition: String(row.partition) },
          row.lag,
        );
      }
    } catch (err) {
      deps.logger.debug({ err: describeError(err) }, 'lag refresh failed; the next one retries');
    }
  };
  const timer = setInterval(() => {
    running = running.then(refresh);
  }, intervalMs);
  running = refresh();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await admin.disconnect();
    },
  };
}
