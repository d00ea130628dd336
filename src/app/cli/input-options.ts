import type { Command } from 'commander';
import { z } from 'zod';
import {
  formatOfProvider,
  offlineProviders,
  type InputOptions,
} from '../../../connectors/offline-readers.js';
import { defaultMaxLineLength } from '../../../connectors/historical/lines.js';
import { historyFormats } from '../../../connectors/historical/formats.js';
import { checkTimeZone } from '../../../connectors/historical/zoned-time.js';

/** The options every command that reads recorded provider data shares (transform, replay, backfill). */
export function addInputOptions(command: Command, what: string): Command {
  return command
    .option('--format <format>', `${historyFormats.join(' | ')} (default: by extension and first line)`)
    .option('--provider <provider>', `shorthand for --format: ${offlineProviders.join(' | ')}`)
    .option('--odds-format <format>', 'the-odds-api: auto, decimal or american', 'auto')
    .option('--mapping <file>', 'ws-json: field mapping JSON (default: the simulator feed mapping)')
    .option('--csv-mapping <file>', 'odds-csv: column mapping JSON (default: the columns in README)')
    .option('--provider-name <name>', "odds-csv and ws-json: the records' provider (default csv, ws-json)")
    .option('--time-zone <zone>', 'betfair-bsp: time zone of EVENT_DT', 'Europe/London')
    .option('--sport <id>', 'betfair-bsp: Betfair event type id (default: 4339 for greyhound files, else 7)')
    .option(
      '--max-line-length <chars>',
      'longest line read; a longer one is skipped unread and reported (a file of one endless line cannot exhaust memory)',
      String(defaultMaxLineLength),
    )
    .addHelpText(
      'after',
      `\n${what}: a file, a folder (every file in it, recursively) or a tar archive (.tar, .tar.gz, .tar.bz2),\n` +
        'files plain, .gz or .bz2: Betfair historical data as sold (one market per .bz2, tar archives of them),\n' +
        "Betfair's daily BSP CSVs, a generic odds CSV, Odds API responses and historical snapshots, ws-json frames.",
    );
}

export const inputOptionsSchema = {
  format: z.enum(historyFormats).optional(),
  provider: z.enum(offlineProviders).optional(),
  oddsFormat: z.enum(['auto', 'decimal', 'american']).default('auto'),
  mapping: z.string().optional(),
  csvMapping: z.string().optional(),
  providerName: z.string().min(1).optional(),
  timeZone: z
    .string()
    .default('Europe/London')
    .refine(
      (zone) => {
        try {
          checkTimeZone(zone);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'not a time zone this runtime knows' },
    ),
  sport: z.string().regex(/^\d+$/, 'a Betfair event type id (digits)').optional(),
  maxLineLength: z.coerce.number().int().positive().default(defaultMaxLineLength),
};

type ParsedInputOptions = z.output<z.ZodObject<typeof inputOptionsSchema>>;

/** The reader's options from a command's parsed options. */
export function inputOptions(
  opts: ParsedInputOptions & { file: string },
  rest: Pick<InputOptions, 'now' | 'report'> & { from?: number },
): InputOptions {
  const format = opts.format ?? (opts.provider === undefined ? 'auto' : formatOfProvider(opts.provider));
  return {
    file: opts.file,
    format,
    oddsFormat: opts.oddsFormat,
    mappingFile: opts.mapping,
    csvMappingFile: opts.csvMapping,
    provider: opts.providerName,
    timeZone: opts.timeZone,
    sport: opts.sport,
    maxLineLength: opts.maxLineLength,
    ...rest,
  };
}
