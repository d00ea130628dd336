import type { Command } from 'commander';
import { z } from 'zod';
import { connectorNames } from '../../../../connectors/registry.js';
import { createKafka, createProducer } from '../../../core/kafka/client.js';
import { topicNames } from '../../../core/kafka/topics.js';
import { readTopicRange } from '../../../core/kafka/read-range.js';
import { AvroSerde } from '../../../core/serde/avro-serde.js';
import type { DeadLetter } from '../../../core/generated/avro-types.js';
import type { Config } from '../../config/load.js';
import type { Logger } from '../../../core/logger.js';
import { parseOptions, runCommand, say } from '../context.js';

const filterSchema = z.object({
  stage: z.string().optional(),
  reason: z.string().optional(),
  provider: z.string().optional(),
  dryRun: z.boolean().optional(),
});

type Filter = z.infer<typeof filterSchema>;

/** The dead letters matching the filter, read from the start of odds.dlq. */
async function readLetters(config: Config, logger: Logger, f: Filter) {
  const names = topicNames(config.topics.prefix);
  const kafka = createKafka(config.kafka, { logger, clientIdSuffix: 'dlq' });
  const letters = await readTopicRange(
    kafka,
    new AvroSerde(config.registry, names),
    names,
    'deadLetters',
    {},
  );
  return { kafka, letters: letters.map((r) => r.value).filter((l) => matches(l, f)) };
}

const matches = (letter: DeadLetter, f: Filter) =>
  (f.stage === undefined || letter.stage === f.stage) &&
  (f.reason === undefined || letter.reasonCode === f.reason) &&
  (f.provider === undefined || letter.provider === f.provider);

export function registerDlqCommands(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('the dead-letter topic (odds.dlq): what was refused, and sending it back after a fix');
  const filters = (c: Command) =>
    c
      .option('--stage <stage>', 'parse, validate, normalize, enrich, results or sink')
      .option('--reason <code>', 'a reason code, e.g. START_TIME_OUT_OF_WINDOW')
      .option('--provider <provider>', connectorNames.join(', '));

  filters(dlq.command('summary').description('dead letters counted by stage and reason code')).action(
    (raw: Record<string, unknown>) =>
      runCommand(async ({ config, logger }) => {
        const f = parseOptions(filterSchema, raw);
        const { letters } = await readLetters(config, logger, f);
        const counts = new Map<string, number>();
        for (const l of letters)
          counts.set(`${l.stage} ${l.reasonCode}`, (counts.get(`${l.stage} ${l.reasonCode}`) ?? 0) + 1);
        for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1]))
          process.stdout.write(`${String(n).padStart(8)}  ${key}\n`);
        say(`${letters.length} dead letters`);
      }),
  );

  filters(
    dlq
      .command('requeue')
      .description(
        "produce matching dead letters' original records back to their source topic (after a config or code fix), so the pipeline processes them again",
      )
      .option('--dry-run', 'count what would be requeued, produce nothing'),
  )
    .addHelpText(
      'after',
      '\nOnly letters from a topic (stages validate, normalize, enrich, results, sink) can be requeued: their original bytes are the source record (unless truncated: an original over 256 KiB keeps only its head, size and SHA-256).\nParse-stage letters hold a provider payload instead: fix the connector and `oddsflow replay` it.\nSinks write idempotently, so requeuing a letter twice adds no row.',
    )
    .action((raw: Record<string, unknown>) =>
      runCommand(async ({ config, logger }) => {
        const f = parseOptions(filterSchema, raw);
        const { kafka, letters } = await readLetters(config, logger, f);
        const fromTopic = letters.filter((l) => l.sourceTopic !== null && l.stage !== 'parse');
        // A truncated letter holds only the head of its original: producing that would be a new bad record.
        const requeueable = fromTopic.filter((l) => !l.truncated);
        say(
          `${letters.length} matching dead letters, ${requeueable.length} with a source topic${f.dryRun ? ' (dry run)' : ''}`,
        );
        if (fromTopic.length > requeueable.length)
          say(
            `${fromTopic.length - requeueable.length} truncated letters skipped (too large to keep whole; originalSha256 identifies them at their source)`,
          );
        if (f.dryRun || requeueable.length === 0) return;
        const producer = createProducer(kafka);
        await producer.connect();
        try {
          const byTopic = new Map<string, { key: Buffer | null; value: Buffer }[]>();
          for (const l of requeueable)
            byTopic.set(l.sourceTopic!, [
              ...(byTopic.get(l.sourceTopic!) ?? []),
              { key: l.key, value: l.originalValue },
            ]);
          await producer.sendBatch({
            topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
            acks: -1,
          });
        } finally {
          await producer.disconnect();
        }
        say(
          `requeued ${requeueable.length} records to ${[...new Set(requeueable.map((l) => l.sourceTopic))].join(', ')}`,
        );
      }),
    );
}
