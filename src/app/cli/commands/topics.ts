import type { Command } from 'commander';
import { z } from 'zod';
import { createTopics } from '../../../core/kafka/admin.js';
import { createKafka } from '../../../core/kafka/client.js';
import { topicNames } from '../../../core/kafka/topics.js';
import { rekeyResults } from '../../ops/rekey-results.js';
import { AvroSerde } from '../../../core/serde/avro-serde.js';
import { parseOptions, runCommand, say } from '../context.js';

const rekeyOptions = z.object({ dryRun: z.boolean().optional() });

export function registerTopicsCommands(program: Command): void {
  const topics = program.command('topics').description('Kafka topics of the data contract');
  topics
    .command('create')
    .description(
      'create every topic that does not exist (partitions, retention and compaction from the topic table)',
    )
    .action(() =>
      runCommand(async ({ config, logger }) => {
        const admin = createKafka(config.kafka, { logger, clientIdSuffix: 'admin' }).admin();
        await admin.connect();
        try {
          const result = await createTopics(admin, topicNames(config.topics.prefix), config.topics);
          for (const t of result)
            say(`${t.created ? 'created' : 'exists '} ${t.name} (${t.partitions} partitions)`);
        } finally {
          await admin.disconnect();
        }
      }),
    );
  topics
    .command('rekey-results')
    .description(
      'one-off: write results.normalized records that still carry the old key (event id) again under eventId:marketId:provider, then tombstone the old keys',
    )
    .option('--dry-run', 'count what would be moved, write nothing')
    .addHelpText(
      'after',
      '\nRun once after upgrading the processors (which write the new key). Results compaction already removed cannot be recovered from this topic: replay results.raw for those.',
    )
    .action((raw: Record<string, unknown>) =>
      runCommand(async ({ config, logger }) => {
        const opts = parseOptions(rekeyOptions, raw);
        const names = topicNames(config.topics.prefix);
        const kafka = createKafka(config.kafka, { logger, clientIdSuffix: 'rekey' });
        const serde = new AvroSerde(config.registry, names);
        const outcome = await rekeyResults(kafka, serde, names, { dryRun: opts.dryRun ?? false });
        say(
          `${names.resultsNormalized}: ${outcome.read} results read, ${outcome.republished} ${opts.dryRun ? 'to republish' : 'republished'} under the per-market key, ${outcome.tombstones} old keys ${opts.dryRun ? 'to tombstone' : 'tombstoned'}`,
        );
      }),
    );
}
