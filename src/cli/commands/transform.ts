import type { Command } from 'commander';
import { z } from 'zod';
import { offlineProviders, readProviderInput } from '../../../connectors/offline-readers.js';
import { marginMethods } from '../../../processors/enrich/margin-methods.js';
import { createEnrichStage } from '../../../processors/pipeline/enrich-stage.js';
import { createOfflineChain } from '../../../processors/pipeline/offline-chain.js';
import { createPrepareStage } from '../../../processors/pipeline/prepare-stage.js';
import { OddsflowError } from '../../errors.js';
import { toJsonLine } from '../../ops/json-lines.js';
import { pipelineOptions } from '../../roles/processors.js';
import { parseOptions, runCommand, say } from '../context.js';

const optionsSchema = z.strictObject({
  provider: z.enum(offlineProviders),
  file: z.string().default('-'),
  method: z.enum(marginMethods).optional(),
  oddsFormat: z.enum(['auto', 'decimal', 'american']).default('auto'),
  mapping: z.string().optional(),
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
  program
    .command('transform')
    .description(
      'run a provider payload file through the exact parse → validate → normalize → enrich chain, offline (no Kafka), printing JSON Lines: market_book, pricing, result, dead_letter',
    )
    .requiredOption('--provider <provider>', offlineProviders.join(' | '))
    .option('--file <file>', 'payload file, or - for stdin', '-')
    .option(
      '--method <method>',
      `margin-removal method for fairProbability: ${marginMethods.join(', ')} (default ODDSFLOW_MARGIN_METHOD)`,
    )
    .option('--odds-format <format>', 'the-odds-api: auto, decimal or american', 'auto')
    .option('--mapping <file>', 'ws-json: field mapping JSON (default: the simulator feed mapping)')
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
        const chunks = readProviderInput(opts.provider, {
          file: opts.file,
          receivedAt: now(),
          oddsFormat: opts.oddsFormat,
          mappingFile: opts.mapping,
        });
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
          `transform: ${counts.market_book} market books, ${counts.pricing} pricing, ${counts.result} results, ${counts.dead_letter} dead letters`,
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
