import type { Command } from 'commander';
import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import { describeProblem, type InputProblem } from '../../../../connectors/historical/problems.js';
import { offlineProviders, readProviderInput } from '../../../../connectors/offline-readers.js';
import { aliasFilesOf, loadAliasTables } from '../../../../processors/normalize/aliases.js';
import type { RawMarketBook, RawResult } from '../../../core/generated/avro-types.js';
import { createKafka } from '../../../core/kafka/client.js';
import { topicNames, type TopicNames } from '../../../core/kafka/topics.js';
import { unmatchedNames } from '../../ops/alias-check.js';
import { toJsonLine } from '../../ops/json-lines.js';
import { offsetsFrom, readPartitions } from '../../../core/kafka/read-range.js';
import { AvroSerde } from '../../../core/serde/avro-serde.js';
import { parseOptions, runCommand, say } from '../context.js';

const optionsSchema = z.strictObject({
  sinceHours: z.coerce.number().positive().default(24),
  maxRecords: z.coerce.number().int().positive().default(200_000),
  provider: z.enum(offlineProviders).optional(),
  file: z.string().optional(),
  limit: z.coerce.number().int().positive().default(50),
  json: z.boolean().optional(),
});

type RawRecord = RawMarketBook | RawResult;

/** odds.raw and results.raw from `sinceMs` on, at most `max` records of each. */
async function recentRecords(
  kafka: Kafka,
  serde: AvroSerde,
  names: TopicNames,
  sinceMs: number,
  max: number,
): Promise<RawRecord[]> {
  const records: RawRecord[] = [];
  for (const topic of ['oddsRaw', 'resultsRaw'] as const) {
    let read = 0;
    const ranges = await offsetsFrom(kafka, names[topic], sinceMs);
    await readPartitions(kafka, names[topic], ranges, async (message) => {
      if (message.value === null || read >= max) return;
      read++;
      records.push(await serde.decode(topic, message.value));
    });
  }
  return records;
}

export function registerAliasesCommands(program: Command): void {
  const aliases = program
    .command('aliases')
    .description('the alias tables of team, venue and selection names');
  aliases
    .command('check')
    .description(
      'list the names in recent data that no alias table entry matches, most frequent first (odds.raw and results.raw, or a payload file)',
    )
    .option('--since-hours <hours>', 'how far back to read the raw topics', '24')
    .option('--max-records <n>', 'records read per topic at most', '200000')
    .option('--provider <provider>', `read a payload file instead of Kafka: ${offlineProviders.join(' | ')}`)
    .option('--file <file>', 'the payload file (with --provider)')
    .option('--limit <n>', 'names listed per table', '50')
    .option('--json', 'one JSON object per name on stdout')
    .addHelpText(
      'after',
      '\nTables: the bundled ones plus ODDSFLOW_TEAM_ALIASES_FILE, ODDSFLOW_VENUE_ALIASES_FILE, ODDSFLOW_SELECTION_ALIASES_FILE.\nA name listed with "maybe" looks like a known one: add it as an alias of that name if it is.',
    )
    .action((raw: Record<string, unknown>) =>
      runCommand(async ({ config, logger }) => {
        const opts = parseOptions(optionsSchema, raw);
        if ((opts.provider === undefined) !== (opts.file === undefined)) {
          throw new Error('--provider and --file go together (or neither, to read Kafka)');
        }
        const tables = await loadAliasTables(aliasFilesOf(config.settings));
        let records: RawRecord[] = [];
        if (opts.provider !== undefined && opts.file !== undefined) {
          const report = (problem: InputProblem) => say(`aliases check: ${describeProblem(problem)}`);
          for await (const chunk of readProviderInput(opts.provider, {
            file: opts.file,
            receivedAt: Date.now(),
            report,
          })) {
            records.push(...chunk.books, ...chunk.results);
          }
        } else {
          const names = topicNames(config.topics.prefix);
          const kafka = createKafka(config.kafka, { logger, clientIdSuffix: 'aliases' });
          const serde = new AvroSerde(config.registry, names);
          records = await recentRecords(
            kafka,
            serde,
            names,
            Date.now() - opts.sinceHours * 3_600_000,
            opts.maxRecords,
          );
        }
        const unmatched = unmatchedNames(records, tables);
        const shown = (['teams', 'venues', 'selections'] as const).flatMap((kind) =>
          unmatched.filter((u) => u.kind === kind).slice(0, opts.limit),
        );
        if (opts.json) {
          for (const u of shown) process.stdout.write(toJsonLine(u) + '\n');
        } else {
          for (const u of shown) {
            process.stdout.write(
              `${u.kind.padEnd(10)} ${String(u.count).padStart(7)}  ${u.name}${u.maybe ? `   (maybe: ${u.maybe})` : ''}\n`,
            );
          }
        }
        say(
          `aliases check: ${records.length} records read, ${unmatched.length} names without an alias (${shown.length} listed)`,
        );
      }),
    );
}
