import type { Command } from 'commander';
import { createTopics } from '../../kafka/admin.js';
import { createKafka } from '../../kafka/client.js';
import { topicNames } from '../../kafka/topics.js';
import { runCommand, say } from '../context.js';

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
}
