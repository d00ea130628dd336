import type { Command } from 'commander';
import { z } from 'zod';
import { readInputs } from '../../../../connectors/offline-readers.js';
import { describeProblem, ProblemTally } from '../../../../connectors/historical/problems.js';
import { openKafkaPublisher } from '../../../../connectors/runtime/kafka-publisher.js';
import { describeError, OddsflowError } from '../../../core/errors.js';
import { createMetrics } from '../../../core/metrics.js';
import { createRoleContext, provision } from '../../roles/context.js';
import { parseOptions, runCommand, say } from '../context.js';
import { addInputOptions, inputOptions, inputOptionsSchema } from '../input-options.js';

const optionsSchema = z.strictObject({
  ...inputOptionsSchema,
  file: z.string(),
  from: z.coerce.number().int().min(1).default(1),
});

export function registerReplayCommand(program: Command): void {
  const command = program
    .command('replay')
    .description(
      'publish recorded provider data to the raw topics as it is read; `backfill` adds a progress file, --resume and a progress bar',
    )
    .requiredOption('--file <path>', 'file, folder or archive')
    .option(
      '--from <position>',
      'a single file: first position to publish (a line, or an element of a response array)',
      '1',
    );
  addInputOptions(command, '--file').action((raw: Record<string, unknown>) =>
    runCommand(async ({ config, logger }) => {
      const opts = parseOptions(optionsSchema, raw);
      const ctx = createRoleContext(config, logger, createMetrics());
      await provision(ctx);
      const publisher = await openKafkaPublisher(ctx.kafka, {
        serde: ctx.serde,
        names: ctx.names,
        metrics: ctx.metrics,
        clock: ctx.clock,
        logger,
      });
      const counts = { books: 0, results: 0, deadLetters: 0 };
      const problems = new ProblemTally();
      let position = opts.from - 1;
      let lastReport = Date.now();
      try {
        const chunks = readInputs(
          inputOptions(opts, {
            from: opts.from,
            now: Date.now(),
            report: (problem) => {
              problems.add(problem);
              say(`replay: ${describeProblem(problem)}`);
            },
          }),
        );
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
        await publisher.close();
      }
      say(
        `replay done: positions ${opts.from}..${position}: ${counts.books} books, ${counts.results} results, ${counts.deadLetters} dead letters` +
          (problems.total > 0 ? `; input problems: ${problems.summary()}` : ''),
      );
    }),
  );
}
