import type { Command } from 'commander';
import { z } from 'zod';
import { createKafka } from '../../../core/kafka/client.js';
import { topicIds, topicTable, type TopicId } from '../../../core/kafka/topics.js';
import { toJsonLine } from '../../ops/json-lines.js';
import { onShutdownSignal } from '../../roles/lifecycle.js';
import { AvroSerde } from '../../../core/serde/avro-serde.js';
import { topicNames } from '../../../core/kafka/topics.js';
import { describeError } from '../../../core/errors.js';
import { parseOptions, runCommand, say } from '../context.js';

const byName = new Map<string, TopicId>(topicIds.map((id) => [topicTable[id].name, id]));

const optionsSchema = z.object({
  fromBeginning: z.boolean().optional(),
  event: z.string().optional(),
  market: z.string().optional(),
  limit: z.coerce.number().int().positive().optional(),
});

export function registerTailCommand(program: Command): void {
  program
    .command('tail <topic>')
    .description(
      `decode a topic through the schema registry to JSON Lines on stdout (${topicIds.map((id) => topicTable[id].name).join(', ')})`,
    )
    .option('--from-beginning', 'start at the oldest retained record instead of new ones')
    .option('--event <eventId>', 'only records of this event')
    .option('--market <marketId>', 'only records of this market')
    .option('--limit <n>', 'stop after n records')
    .addHelpText(
      'after',
      "\nReads committed records only, commits nothing. Example: oddsflow tail odds.pricing | jq 'select(.crossBook.arbitrage)'",
    )
    .action((topic: string, raw: Record<string, unknown>) =>
      runCommand(async ({ config, logger }) => {
        const opts = parseOptions(optionsSchema, raw);
        const id = byName.get(topic);
        if (!id) throw new Error(`unknown topic ${topic}: one of ${[...byName.keys()].join(', ')}`);
        const names = topicNames(config.topics.prefix);
        const serde = new AvroSerde(config.registry, names);
        const kafka = createKafka(config.kafka, { logger, clientIdSuffix: 'tail' });
        // A throwaway group that never commits: tailing must not move anyone's offsets.
        const consumer = kafka.consumer({
          groupId: `oddsflow-tail-${process.pid}-${Date.now()}`,
          readUncommitted: false,
        });
        let printed = 0;
        const done = new Promise<void>((resolve) => {
          onShutdownSignal(logger, async () => {
            await consumer.disconnect();
            resolve();
          });
        });
        await consumer.connect();
        await consumer.subscribe({ topic: names[id], fromBeginning: opts.fromBeginning ?? false });
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ message, partition }) => {
            if (opts.limit !== undefined && printed >= opts.limit) return;
            let value: Record<string, unknown>;
            try {
              value = (await serde.decode(id, message.value ?? Buffer.alloc(0))) as unknown as Record<
                string,
                unknown
              >;
            } catch (err) {
              say(`partition ${partition} offset ${message.offset}: ${describeError(err)}`);
              return;
            }
            if (opts.event !== undefined && value.eventId !== opts.event) return;
            if (opts.market !== undefined && value.marketId !== opts.market) return;
            process.stdout.write(toJsonLine(value) + '\n');
            printed++;
            if (opts.limit !== undefined && printed >= opts.limit) process.kill(process.pid, 'SIGTERM');
          },
        });
        await done;
      }),
    );
}
