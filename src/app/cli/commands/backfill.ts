import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { createInputReader } from '../../../../connectors/offline-readers.js';
import {
  describeProblem,
  ProblemTally,
  type InputProblem,
} from '../../../../connectors/historical/problems.js';
import { measureInput } from '../../../../connectors/historical/sources.js';
import { openKafkaPublisher } from '../../../../connectors/runtime/kafka-publisher.js';
import { createOddsApiClient } from '../../../../connectors/the-odds-api/http-client.js';
import { OddsflowError } from '../../../core/errors.js';
import { backfillFiles } from '../../history/backfill-files.js';
import { backfillOddsApi } from '../../history/backfill-odds-api.js';
import { requireServices } from '../../history/preflight.js';
import { ProgressBar, type ProgressState } from '../../history/progress-bar.js';
import {
  newProgress,
  readProgress,
  writeProgress,
  type BackfillProgress,
} from '../../history/progress-file.js';
import { createMetrics } from '../../../core/metrics.js';
import { createRoleContext, provision } from '../../roles/context.js';
import { parseOptions, runCommand, say } from '../context.js';
import { addInputOptions, inputOptions, inputOptionsSchema } from '../input-options.js';
import { timeOption } from '../time-option.js';
import { durationOption } from '../duration-option.js';
import type { Config } from '../../config/load.js';

const optionsSchema = z
  .strictObject({
    ...inputOptionsSchema,
    file: z.string().optional(),
    oddsApi: z
      .string()
      .regex(/^[a-z0-9_]+$/, 'a sport key such as basketball_nba')
      .optional(),
    from: timeOption.optional(),
    to: timeOption.optional(),
    interval: durationOption.default(300_000),
    regions: z.string().optional(),
    markets: z.string().default('h2h'),
    bookmakers: z.string().optional(),
    maxCredits: z.coerce.number().int().positive().optional(),
    progress: z.string().optional(),
    resume: z.boolean().default(false),
    restart: z.boolean().default(false),
    batch: z.coerce.number().int().min(1).max(100_000).default(2_000),
  })
  .refine((o) => (o.file === undefined) !== (o.oddsApi === undefined), {
    message: 'give either --file (a file, folder or archive) or --odds-api SPORT',
    path: ['file'],
  })
  .refine((o) => o.oddsApi === undefined || (o.from !== undefined && o.to !== undefined), {
    message: '--odds-api needs --from and --to',
    path: ['from'],
  })
  .refine((o) => o.oddsApi === undefined || o.regions !== undefined || o.bookmakers !== undefined, {
    message: '--odds-api needs --regions or --bookmakers',
    path: ['regions'],
  })
  .refine((o) => !(o.resume && o.restart), {
    message: 'give --resume or --restart, not both',
    path: ['resume'],
  });

type Options = z.output<typeof optionsSchema>;

const oddsApiSettingSchema = z.looseObject({
  apiKey: z.string().min(1).optional(),
  baseUrl: z.url().optional(),
});

function sourceOf(opts: Options): string {
  if (opts.oddsApi !== undefined)
    return `the-odds-api ${opts.oddsApi} ${opts.regions ?? ''} ${opts.bookmakers ?? ''} ${opts.markets} ${opts.from} ${opts.to}`;
  return `files ${path.resolve(opts.file!)} ${opts.format ?? opts.provider ?? 'auto'}`;
}

function progressPath(config: Config, opts: Options): string {
  if (opts.progress !== undefined) return path.resolve(opts.progress);
  const stateDir = path.resolve(
    config.settings.ODDSFLOW_STATE_DIR ?? path.join(config.stackDir, 'connector-state'),
  );
  const id = createHash('sha1').update(sourceOf(opts)).digest('hex').slice(0, 16);
  return path.join(stateDir, 'backfill', `${id}.progress.json`);
}

/** Where this run starts from, by the progress file and --resume/--restart; undefined: nothing to do. */
async function startingPoint(file: string, opts: Options): Promise<BackfillProgress | undefined> {
  const fresh = newProgress(sourceOf(opts));
  if (opts.restart) return fresh;
  const saved = await readProgress(file);
  if (saved === undefined) {
    if (opts.resume) say(`backfill: no progress file at ${file}: starting from the beginning`);
    return fresh;
  }
  if (saved.source !== fresh.source)
    throw new OddsflowError(
      'CONFIG_INVALID',
      `${file} belongs to another backfill (${saved.source}): give another --progress`,
    );
  if (saved.complete) {
    say(`backfill: already complete (${file}): nothing to publish; --restart publishes everything again`);
    return undefined;
  }
  if (!opts.resume) {
    const where = saved.current
      ? `file ${saved.filesDone + 1}, line ${saved.current.position}`
      : `file ${saved.filesDone + 1}`;
    throw new OddsflowError(
      'CONFIG_INVALID',
      `a backfill of this input stopped at ${where} (${file}): --resume continues it, --restart starts over`,
    );
  }
  return saved;
}

export function registerBackfillCommand(program: Command): void {
  const command = program
    .command('backfill')
    .description(
      'publish history to the raw topics, resumably: recorded files (a file, folder or archive) or The Odds API historical odds; a progress file records what Kafka acknowledged, so a second run adds nothing',
    )
    .option('--file <path>', 'file, folder or archive of recorded data')
    .option(
      '--odds-api <sport>',
      "The Odds API's historical odds of this sport (ODDS_API_KEY; base URL from ODDSFLOW_CONNECTOR_THE_ODDS_API)",
    )
    .option('--from <time>', '--odds-api: first snapshot, ISO 8601 or epoch ms')
    .option('--to <time>', '--odds-api: last snapshot, ISO 8601 or epoch ms')
    .option(
      '--interval <duration>',
      '--odds-api: least time between snapshots (the API keeps one per 5 min)',
      '5m',
    )
    .option('--regions <list>', '--odds-api: regions, comma-separated')
    .option('--markets <list>', '--odds-api: markets, comma-separated', 'h2h')
    .option('--bookmakers <list>', '--odds-api: bookmakers, comma-separated (instead of regions)')
    .option(
      '--max-credits <n>',
      '--odds-api: usage credits this run may spend (each snapshot costs 10 × markets × regions)',
    )
    .option('--progress <file>', 'progress file (default: one per input under ODDSFLOW_STATE_DIR/backfill)')
    .option('--resume', 'continue a backfill that stopped')
    .option(
      '--restart',
      'ignore the progress file and publish everything again (the stores add no row twice)',
    )
    .option('--batch <records>', 'records per publish', '2000');
  addInputOptions(command, '--file').action((raw: Record<string, unknown>) =>
    runCommand(async ({ config, logger }) => {
      const opts = parseOptions(optionsSchema, raw);
      const file = progressPath(config, opts);
      const progress = await startingPoint(file, opts);
      if (progress === undefined) return 0;
      await requireServices(config, { kafka: true });
      const ctx = createRoleContext(config, logger, createMetrics());
      await provision(ctx);
      // The first signal stops after the batch in flight (its progress saved); a second exits at once.
      const stop = new AbortController();
      const publisher = await openKafkaPublisher(ctx.kafka, {
        serde: ctx.serde,
        names: ctx.names,
        metrics: ctx.metrics,
        clock: ctx.clock,
        logger,
        signal: stop.signal,
      });
      const onSignal = () => {
        if (stop.signal.aborted) process.exit(130);
        say('\nbackfill: stopping after the batch in flight (a second signal exits at once)');
        stop.abort();
      };
      process.on('SIGINT', onSignal).on('SIGTERM', onSignal);

      const problemsFile = file.replace(/\.progress\.json$/, '') + '.problems.jsonl';
      const problems = new ProblemTally();
      const report = (problem: InputProblem) => {
        problems.add(problem);
        progress.totals.problems += 1;
        mkdirSync(path.dirname(problemsFile), { recursive: true });
        appendFileSync(problemsFile, JSON.stringify(problem) + '\n');
        if ((problems.counts[problem.code] ?? 0) <= 10) say(`\nbackfill: ${describeProblem(problem)}`);
      };
      const measured = opts.file !== undefined ? await measureInput(opts.file) : { bytes: null, files: null };
      let readBytes = 0;
      const state = (): ProgressState => ({
        files: progress.totals.files,
        totalFiles: measured.files,
        records: progress.totals.books + progress.totals.results,
        deadLetters: progress.totals.deadLetters,
        problems: progress.totals.problems,
        readBytes,
        totalBytes: measured.bytes,
      });
      const bar = new ProgressBar({ tty: process.stderr.isTTY, write: (text) => process.stderr.write(text) });
      let lastSave = 0;
      const checkpoint = async (p: BackfillProgress, force: boolean) => {
        if (!force && Date.now() - lastSave < 1_000) return;
        lastSave = Date.now();
        await writeProgress(file, p);
      };
      let outcome: string;
      try {
        if (opts.file !== undefined) {
          const reader = await createInputReader(
            inputOptions({ ...opts, file: opts.file }, { now: Date.now(), report }),
            (n) => {
              readBytes += n;
            },
          );
          outcome = await backfillFiles({
            reader,
            progress,
            publisher,
            checkpoint,
            batchRecords: opts.batch,
            onSkipped: (n) => (readBytes += n),
            onBatch: () => bar.update(state()),
            signal: stop.signal,
          });
        } else {
          const setting = oddsApiSettingSchema.parse(config.settings.ODDSFLOW_CONNECTOR_THE_ODDS_API ?? {});
          const apiKey = config.settings.ODDS_API_KEY ?? setting.apiKey;
          if (apiKey === undefined)
            throw new OddsflowError('CONFIG_INVALID', '--odds-api needs an API key: set ODDS_API_KEY');
          const client = createOddsApiClient(
            {
              baseUrl: setting.baseUrl ?? 'https://api.the-odds-api.com',
              apiKey,
              requestTimeoutMs: 30_000,
              retry: { attempts: 4, initialMs: 1_000, maxMs: 30_000 },
            },
            { logger, metrics: ctx.metrics, clock: ctx.clock },
          );
          outcome = await backfillOddsApi({
            client,
            publisher,
            progress,
            checkpoint,
            sport: opts.oddsApi!,
            from: opts.from!,
            to: opts.to!,
            intervalMs: opts.interval,
            query: {
              markets: opts.markets,
              oddsFormat: opts.oddsFormat === 'american' ? 'american' : 'decimal',
              ...(opts.regions === undefined ? {} : { regions: opts.regions }),
              ...(opts.bookmakers === undefined ? {} : { bookmakers: opts.bookmakers }),
            },
            maxCredits: opts.maxCredits ?? null,
            onSnapshot: () => {
              bar.update(state());
              const q = client.quota;
              if (q.remaining !== null) logger.debug({ quota: q }, 'credits');
            },
            signal: stop.signal,
          });
          const q = client.quota;
          say(
            `backfill: ${progress.totals.credits} credits spent by this backfill; the provider reports ${q.used ?? '?'} used, ${q.remaining ?? '?'} remaining`,
          );
        }
      } catch (err) {
        await writeProgress(file, progress).catch(() => undefined);
        throw err;
      } finally {
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
        bar.done(state());
        await publisher.close();
      }
      const t = progress.totals;
      const summary =
        `${t.files} ${opts.oddsApi ? 'snapshots' : 'files'}, ${t.books} books, ${t.results} results, ${t.deadLetters} dead letters` +
        (problems.total > 0 ? `, input problems: ${problems.summary()} (every one in ${problemsFile})` : '');
      if (outcome === 'complete') say(`backfill complete: ${summary}; progress in ${file}`);
      else if (outcome === 'credits')
        say(`backfill stopped at --max-credits ${opts.maxCredits}: ${summary}; --resume continues (${file})`);
      else say(`backfill stopped: ${summary}; --resume continues (${file})`);
      return outcome === 'complete' ? 0 : 3;
    }),
  );
}
