import type { Admin, Kafka } from 'kafkajs';
import { describeError } from '../../core/errors.js';
import { NotReady, type ReadinessCheck } from '../../core/health/readiness.js';
import type { Logger } from '../../core/logger.js';
import type { Metrics } from '../../core/metrics.js';
import { measureLag } from './lag.js';

export interface LagMonitor {
  /** Fails while the last refresh failed (Kafka unreachable): the exported numbers are stale. */
  readonly check: ReadinessCheck;
  stop(): Promise<void>;
}

/** Every consumer group of the cluster (Kafka Connect and share groups aside): the bot's, the ML team's, ours. */
export async function consumerGroups(admin: Admin): Promise<string[]> {
  const { groups } = await admin.listGroups();
  return groups
    .filter((g) => g.protocolType === 'consumer' || g.protocolType === '')
    .map((g) => g.groupId)
    .sort();
}

/**
 * Exports `oddsflow lag`'s numbers as the oddsflow_consumer_lag and
 * oddsflow_consumer_time_lag_seconds gauges, refreshed every `intervalMs`, for the groups
 * `groups()` names at each refresh (so a group that appears is picked up, and one that is
 * deleted disappears from the export rather than showing its last lag for ever).
 */
export async function startLagMonitor(
  kafka: Kafka,
  groups: (admin: Admin) => Promise<readonly string[]>,
  deps: { metrics: Metrics; logger: Logger },
  intervalMs = 15_000,
): Promise<LagMonitor> {
  const admin = kafka.admin();
  await admin.connect();
  let failure: unknown;
  let running: Promise<void> = Promise.resolve();
  const refresh = async (): Promise<void> => {
    try {
      const rows = await measureLag(admin, {
        groups: [...(await groups(admin))],
        now: Date.now(),
        horizonMs: 3_600_000,
      });
      // Replaced in one turn of the event loop: a scrape never sees a half-written set.
      deps.metrics.consumerLag.reset();
      deps.metrics.consumerTimeLag.reset();
      for (const row of rows) {
        const labels = { group: row.group, topic: row.topic, partition: String(row.partition) };
        deps.metrics.consumerLag.set(labels, row.lag);
        if (row.timeLagSeconds !== null) deps.metrics.consumerTimeLag.set(labels, row.timeLagSeconds);
      }
      if (failure !== undefined) deps.logger.info('lag refresh works again');
      failure = undefined;
    } catch (err) {
      if (failure === undefined)
        deps.logger.warn({ err: describeError(err) }, 'lag refresh failed; the next one retries');
      failure = err;
    }
  };
  const timer = setInterval(() => {
    running = running.then(refresh);
  }, intervalMs);
  running = refresh();
  return {
    check: () =>
      failure === undefined
        ? Promise.resolve()
        : Promise.reject(
            new NotReady('BROKERS_UNREACHABLE', `lag refresh failed: ${describeError(failure)}`),
          ),
    async stop() {
      clearInterval(timer);
      await running;
      await admin.disconnect();
    },
  };
}
