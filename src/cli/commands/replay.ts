import type { Command } from 'commander';
import { z } from 'zod';
import { offlineProviders, readProviderInput } from '../../../connectors/offline-readers.js';
import { createKafkaPublisher } from '../../../connectors/runtime/kafka-publisher.js';
import { describeError, OddsflowError } from '../../errors.js';
import { createMetrics } from '../../metrics.js';
import { createRoleContext, provision } from '../../roles/context.js';
import { createProducer } from '../../kafka/client.js';
import { parseOptions, runCommand, say } from '../context.js';

const optionsSchema = z.strictObject({
  provider: z.enum(offlineProviders),
  file: z.string(),
  from: z.coerce.number().int().min(1).default(1),
  oddsFormat: z.enum(['auto', 'decimal', 'american']).default('auto'),
  mapping: z.string().optional(),
});

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'publish a recorded provider payload file to the raw topics (backfill), resumable with --from',
    )
    .requiredOption('--provider <provider>', offlineProviders.join(' | '))
    .requiredOption(
      '--file <file>',
      'payload file (an Odds API response; a Betfair stream recording, .gz allowed; one frame per line for ws-json)',
    )
    .option('--from <position>', 'first position to publish (a line, or an element of a response array)', '1')
    .option('--odds-format <format>', 'the-odds-api: auto, decimal or american', 'auto')
    .option('--mapping <file>', 'ws-json: field mapping JSON (default: the simulator feed mapping)')
    .action((raw: Record<string, unknown>) =>
      runCommand(async ({ config, logger }) => {
        const opts = parseOptions(optionsSchema, raw);
        const ctx = createRoleContext(config, logger, createMetrics());
        await provision(ctx);
        const producer = createProducer(ctx.kafka);
        await producer.connect();
        const publisher = createKafkaPublisher({
          producer,
          serde: ctx.serde,
          names: ctx.names,
          metrics: ctx.metrics,
          clock: ctx.clock,
          logger,
        });
        const counts = { books: 0, results: 0, deadLetters: 0 };
        let position = opts.from - 1;
        let lastReport = Date.now();
        try {
          const chunks = readProviderInput(opts.provider, {
            file: opts.file,
            from: opts.from,
            receivedAt: Date.now(),
            oddsFormat: opts.oddsFormat,
            mappingFile: opts.mapping,
          });
          for await (const chunk of chunks) {
            await publisher.publishBooks(chunk.books);
            await publisher.publishResults(chunk.results);
            for (const failure of chunk.failures) await publisher.deadLetter(failure);
            counts.books += chunk.books.length;
            counts.results += chunk.results.length;
            counts.deadLetters += chunk.failures.length;
            position = chunk.position;
            if (Date.now() - lastReport > 1000) {
              say(
                `replay: up to position ${position}: ${counts.books} books, ${counts.results} results, ${counts.deadLetters} dead letters`,
              );
              lastReport = Date.now();
            }
          }
        } catch (err) {
          throw new OddsflowError(
            'KAFKA_UNAVAILABLE',
            `stopped after position ${position} (${describeError(err)}): resume with --from ${position + 1}`,
            { cause: err },
          );
        } finally {
          await producer.disconnect();
        }
        say(
          `replay done: positions ${opts.from}..${position}: ${counts.books} books, ${counts.results} results, ${counts.deadLetters} dead letters`,
        );
      }),
    );
}
