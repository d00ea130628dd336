import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { z } from 'zod';
import { createKafka } from '../../kafka/client.js';
import { topicNames } from '../../kafka/topics.js';
import { readTopicRange } from '../../ops/read-range.js';
import { joinResults, toColumns, toCsv } from '../../ops/training-set.js';
import { AvroSerde } from '../../serde/avro-serde.js';
import { parseOptions, runCommand, say } from '../context.js';
import { timeOption } from '../time-option.js';

const time = timeOption.optional();

const optionsSchema = z.strictObject({
  from: time,
  to: time,
  out: z.string().regex(/\.(parquet|csv)$/, 'must end in .parquet or .csv'),
});

export function registerExportFeaturesCommand(program: Command): void {
  program
    .command('export-features')
    .description(
      "write the ML team's training set: features.market in a time range, joined with results.normalized where the event has a result",
    )
    .option('--from <time>', 'ISO 8601 or epoch ms (Kafka record time); default: oldest retained')
    .option('--to <time>', 'ISO 8601 or epoch ms; default: now')
    .requiredOption('--out <file>', 'F.parquet or F.csv')
    .action((raw: Record<string, unknown>) =>
      runCommand(async ({ config, logger }) => {
        const opts = parseOptions(optionsSchema, raw);
        const names = topicNames(config.topics.prefix);
        const kafka = createKafka(config.kafka, { logger, clientIdSuffix: 'export' });
        const serde = new AvroSerde(config.registry, names);
        const features = await readTopicRange(kafka, serde, names, 'featuresMarket', {
          fromMs: opts.from,
          toMs: opts.to,
        });
        const results = await readTopicRange(kafka, serde, names, 'resultsNormalized', {});
        const rows = joinResults(
          features.map((f) => f.value),
          results.map((r) => r.value),
        );
        if (opts.out.endsWith('.csv')) await writeFile(opts.out, toCsv(rows));
        else await writeFile(opts.out, Buffer.from(parquetWriteBuffer({ columnData: toColumns(rows) })));
        const labelled = rows.filter((r) => r.won !== null).length;
        say(`wrote ${rows.length} rows (${labelled} with a result) to ${opts.out}`);
      }),
    );
}
