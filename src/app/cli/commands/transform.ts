import type { Command } from 'commander';
import { z } from 'zod';
import { readInputs } from '../../../../connectors/offline-readers.js';
import { describeProblem, ProblemTally } from '../../../../connectors/historical/problems.js';
import { marginMethods } from '../../../../processors/enrich/margin-methods.js';
import { createEnrichStage } from '../../../../processors/pipeline/enrich-stage.js';
import { createOfflineChain } from '../../../../processors/pipeline/offline-chain.js';
import { createPrepareStage } from '../../../../processors/pipeline/prepare-stage.js';
import { OddsflowError } from '../../../core/errors.js';
import { toJsonLine } from '../../ops/json-lines.js';
import { pipelineOptions } from '../../roles/processors.js';
import { parseOptions, runCommand, say } from '../context.js';
import { addInputOptions, inputOptions, inputOptionsSchema } from '../input-options.js';

const optionsSchema = z
  .strictObject({
    ...inputOptionsSchema,
    file: z.string().default('-'),
    method: z.enum(marginMethods).optional(),
  })
  .refine((o) => o.file !== '-' || o.format !== undefined || o.provider !== undefined, {
    message: 'stdin has no name to tell its format by: give --format or --provider',
    path: ['format'],
  });

/**
 * Writes a line to stdout, waiting for the pipe to drain when its buffer is full (a slow reader
 * must slow us down, not lose lines). False once the reader has gone away (`| head`).
 */
async function writeLine(line: string): Promise<boolean> {
  if (process.stdout.destroyed || process.stdout.writableEnded) return false;
  if (process.stdout.write(line + '\n')) return true;
  await new Promise<void>((resolve) => {
    const done = () => {
      process.stdout.off('drain', done);
      process.stdout.off('close', done);
      process.stdout.off('error', done);
      resolve();
    };
    process.stdout.once('drain', done).once('close', done).once('error', done);
  });
  return !process.stdout.destroyed;
}

export function registerTransformCommand(program: Command): void {
  const command = program
    .command('transform')
    .description(
      'run recorded provider data through the exact parse → validate → normalize → enrich chain, offline (no Kafka), printing JSON Lines: market_book, pricing, result, dead_letter',
    )
    .option('--file <path>', 'file, folder or archive, or - for stdin', '-')
    .option(
      '--method <method>',
      `margin-removal method for fairProbability: ${marginMethods.join(', ')} (default ODDSFLOW_MARGIN_METHOD)`,
    );
  addInputOptions(command, '--file')
    .addHelpText(
      'after',
      '\nExit code 0 when anything could be read (bad records become dead_letter lines); 1 when nothing could.\nExample: oddsflow transform --provider the-odds-api --file odds.json | jq \'select(.type=="pricing") | .overround\'',
    )
    .action((raw: Record<string, unknown>) =>
      runCommand(async ({ config }) => {
        const opts = parseOptions(optionsSchema, raw);
        const now = () => Date.now();
        const settings = {
          ...config.settings,
          ...(opts.method ? { ODDSFLOW_MARGIN_METHOD: opts.method } : {}),
        };
        const pipeline = await pipelineOptions(settings, now);
        const chain = createOfflineChain(
          createPrepareStage(pipeline.prepare),
          createEnrichStage(pipeline.enrich),
          now,
        );
        const counts = { market_book: 0, pricing: 0, result: 0, dead_letter: 0 };
        let readable = 0;
        let firstFailure: string | undefined;
        const problems = new ProblemTally();
        const chunks = readInputs(
          inputOptions(opts, {
            now: now(),
            report: (problem) => {
              problems.add(problem);
              say(`transform: ${describeProblem(problem)}`);
            },
          }),
        );
        for await (const chunk of chunks) {
          readable += chunk.books.length + chunk.results.length;
          const outputs = [
            ...chunk.failures.map((f) => chain.failure(f)),
            ...chain.books(chunk.books),
            ...chain.results(chunk.results),
          ];
          firstFailure ??= chunk.failures[0]?.errors[0]?.message;
          for (const output of outputs) {
            counts[output.type]++;
            if (!(await writeLine(toJsonLine(output)))) return 0;
          }
        }
        say(
          `transform: ${counts.market_book} market books, ${counts.pricing} pricing, ${counts.result} results, ${counts.dead_letter} dead letters` +
            (problems.total > 0 ? `; input problems: ${problems.summary()}` : ''),
        );
        if (readable === 0) {
          throw new OddsflowError(
            'INPUT_UNREADABLE',
            `nothing could be read from ${opts.file === '-' ? 'stdin' : opts.file}${firstFailure ? `: ${firstFailure}` : ''}`,
          );
        }
        return 0;
      }),
    );
}
