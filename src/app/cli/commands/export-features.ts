import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { z } from 'zod';
import type { SelectionFeatures } from '../../../core/generated/avro-types.js';
import { createKafka } from '../../../core/kafka/client.js';
import { topicNames } from '../../../core/kafka/topics.js';
import { componentLogger, type Logger } from '../../../core/logger.js';
import { featureHistories, hasFeatures, storedResults } from '../../ops/features-store.js';
import {
  emptyStats,
  pointInTimeColumns,
  pointInTimeRows,
  resultIndex,
  selectionKey,
  type DecisionRule,
  type PointInTimeRow,
} from '../../ops/point-in-time.js';
import { readTopicRange } from '../../../core/kafka/read-range.js';
import { selectionFeatures } from '../../../core/serde/market-features.js';
import { toColumns, toCsv } from '../../ops/training-set.js';
import { createDatabasePool } from '../../roles/stores.js';
import { AvroSerde } from '../../../core/serde/avro-serde.js';
import type { Config } from '../../config/load.js';
import { parseOptions, runCommand, say } from '../context.js';
import { durationOption } from '../duration-option.js';
import { timeOption } from '../time-option.js';

const optionsSchema = z
  .strictObject({
    from: timeOption.optional(),
    to: timeOption.optional(),
    out: z.string().regex(/\.(parquet|csv)$/, 'must end in .parquet or .csv'),
    source: z.enum(['auto', 'timescale', 'kafka']).default('auto'),
    beforeStart: durationOption.optional(),
    every: durationOption.optional(),
    maxFeatureAge: durationOption.default(86_400_000),
    splitAt: timeOption.optional(),
    testShare: z.coerce.number().gt(0).lt(1).optional(),
  })
  .refine((o) => o.beforeStart === undefined || o.every === undefined, {
    message: 'give --before-start or --every, not both',
    path: ['beforeStart'],
  })
  .refine(
    (o) =>
      o.testShare === undefined || (o.from !== undefined && o.to !== undefined && o.splitAt === undefined),
    {
      message: '--test-share needs --from and --to (and no --split-at)',
      path: ['testShare'],
    },
  );

type Options = z.output<typeof optionsSchema>;

/** Every selection's history and the results, from TimescaleDB. */
async function* fromTimescale(config: Config, opts: Options, logger: Logger) {
  const pool = createDatabasePool(config, componentLogger(logger, 'export'));
  try {
    const schema = config.settings.ODDSFLOW_DB_SCHEMA;
    const from = (opts.from ?? 0) - opts.maxFeatureAge;
    const to = opts.to ?? Date.now();
    const index = resultIndex(await storedResults(pool, schema, { from, to: 8.64e15 }));
    for await (const history of featureHistories(pool, schema, { from, to }))
      yield { history, result: index(history[0]!.eventId, history[0]!.marketId) };
  } finally {
    await pool.end();
  }
}

/** The same from Kafka (features.market and results.normalized as retained): the fallback. */
async function* fromKafka(config: Config, opts: Options, logger: Logger) {
  const names = topicNames(config.topics.prefix);
  const kafka = createKafka(config.kafka, { logger, clientIdSuffix: 'export' });
  const serde = new AvroSerde(config.registry, names);
  // Record times on Kafka are processing times (a backfill of 2021 data is written today):
  // everything retained is read and filtered by the features' own event time.
  const features = await readTopicRange(kafka, serde, names, 'featuresMarket', {});
  const results = await readTopicRange(kafka, serde, names, 'resultsNormalized', {});
  const index = resultIndex(results.map((r) => r.value));
  const from = (opts.from ?? 0) - opts.maxFeatureAge;
  const to = opts.to ?? Date.now();
  const bySelection = new Map<string, SelectionFeatures[]>();
  for (const { value } of features) {
    if (value.eventTime < from || value.eventTime > to) continue;
    for (const row of selectionFeatures(value)) {
      const key = selectionKey(row);
      const history = bySelection.get(key);
      if (history) history.push(row);
      else bySelection.set(key, [row]);
    }
  }
  for (const history of bySelection.values()) {
    history.sort((a, b) => a.eventTime - b.eventTime);
    yield { history, result: index(history[0]!.eventId, history[0]!.marketId) };
  }
}

async function chooseSource(config: Config, opts: Options, logger: Logger): Promise<'timescale' | 'kafka'> {
  if (opts.source !== 'auto') return opts.source;
  if (config.databaseUrl === undefined) return 'kafka';
  const pool = createDatabasePool(config, componentLogger(logger, 'export'));
  try {
    const from = (opts.from ?? 0) - opts.maxFeatureAge;
    return (await hasFeatures(pool, config.settings.ODDSFLOW_DB_SCHEMA, from, opts.to ?? Date.now()))
      ? 'timescale'
      : 'kafka';
  } catch {
    return 'kafka';
  } finally {
    await pool.end();
  }
}

export function registerExportFeaturesCommand(program: Command): void {
  program
    .command('export-features')
    .description(
      "write the ML team's point-in-time training set: at each decision time the latest features at or before it (never later), the label from the results, a split by time; from TimescaleDB (selection_features), Kafka as the fallback",
    )
    .option('--from <time>', 'first decision time, ISO 8601 or epoch ms (event time)')
    .option('--to <time>', 'last decision time; default: now')
    .requiredOption('--out <file>', 'F.parquet or F.csv')
    .option(
      '--source <source>',
      'auto (TimescaleDB when it has features in the range, else Kafka), timescale or kafka',
      'auto',
    )
    .option('--before-start <duration>', 'one decision per selection this long before the start (e.g. 5m)')
    .option(
      '--every <duration>',
      'decisions on a grid of this step (e.g. 1m); default: at every features record',
    )
    .option('--max-feature-age <duration>', 'features older than this at a decision are not used', '1d')
    .option('--split-at <time>', 'decisions from this time on are the test set')
    .option('--test-share <share>', 'the last share of [--from, --to] is the test set (e.g. 0.2)')
    .addHelpText(
      'after',
      '\nTraining rows whose label settled after the split time are purged (they would leak the test period);\ndecisions at or after a settlement give no row. Columns: decisionTime, the features, won/outcome/settledAt,\nfeaturesAgeMs and split (train or test).',
    )
    .action((raw: Record<string, unknown>) =>
      runCommand(async ({ config, logger }) => {
        const opts = parseOptions(optionsSchema, raw);
        const rule: DecisionRule =
          opts.beforeStart !== undefined
            ? { kind: 'before-start', offsetMs: opts.beforeStart }
            : opts.every !== undefined
              ? { kind: 'every', stepMs: opts.every }
              : { kind: 'each-record' };
        const splitAt =
          opts.splitAt ??
          (opts.testShare !== undefined ? opts.to! - (opts.to! - opts.from!) * opts.testShare : undefined);
        const source = await chooseSource(config, opts, logger);
        const stats = emptyStats();
        const rows: PointInTimeRow[] = [];
        const histories =
          source === 'timescale' ? fromTimescale(config, opts, logger) : fromKafka(config, opts, logger);
        for await (const { history, result } of histories)
          rows.push(
            ...pointInTimeRows(
              history,
              result,
              { rule, from: opts.from, to: opts.to, splitAt, maxAgeMs: opts.maxFeatureAge },
              stats,
            ),
          );
        rows.sort(
          (a, b) => a.decisionTime - b.decisionTime || (selectionKeyOf(a) < selectionKeyOf(b) ? -1 : 1),
        );
        if (opts.out.endsWith('.csv')) await writeFile(opts.out, toCsv(rows, pointInTimeColumns));
        else
          await writeFile(
            opts.out,
            Buffer.from(parquetWriteBuffer({ columnData: toColumns(rows, pointInTimeColumns) })),
          );
        const labelled = rows.filter((r) => r.won !== null).length;
        const test = rows.filter((r) => r.split === 'test').length;
        say(
          `wrote ${rows.length} rows (${labelled} with a result; ${rows.length - test} train, ${test} test) to ${opts.out} from ${source}` +
            `; left out: ${stats.noFeaturesYet} decisions without features yet, ${stats.afterSettlement} at or after settlement, ${stats.purged} purged at the split`,
        );
      }),
    );
}

const selectionKeyOf = (r: PointInTimeRow) => selectionKey(r);
