import { aliasFilesOf, loadAliasTables } from '../../../processors/normalize/aliases.js';
import { createEnrichStage } from '../../../processors/pipeline/enrich-stage.js';
import { createPrepareStage } from '../../../processors/pipeline/prepare-stage.js';
import { runTransactionalLoop } from '../../../processors/runtime/transactional-loop.js';
import { featuresConfigSchema } from '../../../processors/features/index.js';
import type { Settings } from '../config/settings.js';
import type { Metrics } from '../../core/metrics.js';
import {
  aliveCheck,
  holdsCheck,
  kafkaReadiness,
  supervised,
  type RoleContext,
  type RunningRole,
} from './context.js';

const hourMs = 3_600_000;

/** The chain's options from the settings; `transform` builds the same. */
export async function pipelineOptions(settings: Settings, now: () => number, metrics?: Metrics) {
  const aliases = await loadAliasTables(aliasFilesOf(settings));
  return {
    prepare: {
      aliases,
      now,
      oddsRange: { min: settings.ODDSFLOW_ODDS_MIN, max: settings.ODDSFLOW_ODDS_MAX },
      startTimeWindow: {
        maxAheadMs: Math.round(settings.ODDSFLOW_START_WINDOW_AHEAD_DAYS * 24 * hourMs),
        maxAfterStartMs: Math.round(settings.ODDSFLOW_START_WINDOW_AFTER_HOURS * hourMs),
      },
      racingEventKey: settings.ODDSFLOW_RACING_EVENT_KEY,
      eventStartToleranceMs: settings.ODDSFLOW_EVENT_START_TOLERANCE_MINUTES * 60_000,
    },
    enrich: {
      method: settings.ODDSFLOW_MARGIN_METHOD,
      warmupMs: settings.ODDSFLOW_STATE_WARMUP_MINUTES * 60_000,
      now,
      features: featuresConfigSchema.parse({ idleMs: settings.ODDSFLOW_FEATURES_IDLE_MINUTES * 60_000 }),
      commissions: settings.ODDSFLOW_COMMISSION,
      crossBook: {
        freshness: {
          maxAgeMs: {
            'pre-match': settings.ODDSFLOW_QUOTE_MAX_AGE_PRE_MATCH_S * 1000,
            'in-play': settings.ODDSFLOW_QUOTE_MAX_AGE_IN_PLAY_S * 1000,
          },
          futureToleranceMs: settings.ODDSFLOW_QUOTE_FUTURE_TOLERANCE_S * 1000,
        },
        ...(metrics
          ? {
              onLeftOut: (reason: string, quotes: number) => metrics.quotesLeftOut.inc({ reason }, quotes),
              onArbitrageOpened: (kind: string) => metrics.arbitrageOpened.inc({ kind }),
            }
          : {}),
      },
    },
  };
}

/**
 * The processors role: two transactional consume-transform-produce loops in one process,
 * prepare (odds.raw, results.raw → odds.normalized, results.normalized) and enrich
 * (odds.normalized → odds.pricing, features.market). Enrich reads what prepare commits, keyed by
 * market, which is what makes its cross-book state partition-local.
 */
export async function startProcessors(ctx: RoleContext): Promise<RunningRole> {
  const settings = ctx.config.settings;
  const options = await pipelineOptions(settings, () => ctx.clock.now(), ctx.metrics);
  const deps = {
    kafka: ctx.kafka,
    serde: ctx.serde,
    names: ctx.names,
    logger: ctx.logger,
    metrics: ctx.metrics,
    clock: ctx.clock,
    holds: ctx.holds,
  };
  const loopOptions = {
    maxRecordsPerChunk: settings.ODDSFLOW_TRANSACTION_MAX_RECORDS,
    maxRecordBytes: settings.ODDSFLOW_MAX_RECORD_BYTES,
    holdBackoff: { initialMs: 500, maxMs: settings.ODDSFLOW_HOLD_BACKOFF_MAX_S * 1000 },
    sessionTimeoutMs: ctx.config.kafka.consumerSessionTimeoutMs,
    fetchMaxBytes: ctx.config.kafka.consumerFetchMaxBytes,
  };
  const prepareStage = createPrepareStage({ ...options.prepare, metrics: ctx.metrics });
  const prepare = await supervised(ctx, prepareStage.name, () =>
    runTransactionalLoop(prepareStage, deps, {
      groupId: ctx.groups.prepare,
      ...loopOptions,
    }),
  );
  const enrichStage = createEnrichStage(options.enrich);
  const enrich = await supervised(ctx, enrichStage.name, () =>
    runTransactionalLoop(enrichStage, deps, {
      groupId: ctx.groups.enrich,
      ...loopOptions,
    }),
  );
  const failed = Promise.race([prepare.failed, enrich.failed]);
  return {
    name: 'processors',
    readiness: { kafka: kafkaReadiness(ctx), consumers: aliveCheck(failed), holds: holdsCheck(ctx.holds) },
    failed,
    async stop() {
      await Promise.all([prepare.stop(), enrich.stop()]);
    },
  };
}
