import type { RawPublisher } from '../../../connectors/contract.js';
import { historicalSnapshot, readOddsApiFile } from '../../../connectors/the-odds-api/recording.js';
import type { OddsApiClient } from '../../../connectors/the-odds-api/http-client.js';
import { OddsflowError } from '../../core/errors.js';
import type { BackfillProgress } from './progress-file.js';

export interface OddsApiBackfillOptions {
  client: OddsApiClient;
  publisher: RawPublisher;
  progress: BackfillProgress;
  checkpoint(progress: BackfillProgress, force: boolean): Promise<void>;
  sport: string;
  from: number;
  to: number;
  /** Least time between two snapshots fetched; the API keeps one every 5 minutes. */
  intervalMs: number;
  query: { regions?: string; markets: string; oddsFormat: 'decimal' | 'american'; bookmakers?: string };
  /** Credits this run may spend; it stops (resumable) before a call that would pass them. */
  maxCredits: number | null;
  onSnapshot?(progress: BackfillProgress, snapshot: { timestamp: number; events: number }): void;
  signal?: AbortSignal;
}

export type OddsApiBackfillOutcome = 'complete' | 'stopped' | 'credits';

/**
 * Walks The Odds API's historical odds (`/v4/historical/sports/{sport}/odds?date=…`) from
 * `from` to `to`: each answer is the snapshot at or before `date`, wrapped as
 * `{timestamp, previous_timestamp, next_timestamp, data}`, and costs ten times a live call.
 * The next date is the later of the answer's next_timestamp and the snapshot plus the interval.
 * The books are those of the snapshot, received at its timestamp, so a second walk gives the
 * same records; the progress keeps the next date, so a stopped walk resumes where it stopped.
 */
export async function backfillOddsApi(options: OddsApiBackfillOptions): Promise<OddsApiBackfillOutcome> {
  const { progress, client } = options;
  let date =
    progress.nextSnapshot === undefined || progress.nextSnapshot === null
      ? options.from
      : Date.parse(progress.nextSnapshot);
  let lastCost = 0;
  let spent = 0;
  while (date <= options.to) {
    if (options.signal?.aborted) return 'stopped';
    if (options.maxCredits !== null && spent + lastCost > options.maxCredits) return 'credits';
    const response = await client.get(
      `/v4/historical/sports/${encodeURIComponent(options.sport)}/odds`,
      {
        date: new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        markets: options.query.markets,
        oddsFormat: options.query.oddsFormat,
        dateFormat: 'iso',
        ...(options.query.regions === undefined ? {} : { regions: options.query.regions }),
        ...(options.query.bookmakers === undefined ? {} : { bookmakers: options.query.bookmakers }),
      },
      options.signal,
    );
    lastCost = response.quota.last ?? lastCost;
    spent += lastCost;
    progress.totals.credits += lastCost;
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body);
    } catch {
      parsed = undefined;
    }
    const snapshot = historicalSnapshot(parsed);
    const next = (parsed as { next_timestamp?: unknown } | undefined)?.next_timestamp;
    let events = 0;
    for (const chunk of readOddsApiFile(response.body, {
      receivedAt: response.receivedAt,
      oddsFormat: options.query.oddsFormat,
    })) {
      await options.publisher.publishBooks(chunk.books);
      for (const failure of chunk.failures) await options.publisher.deadLetter(failure);
      progress.totals.books += chunk.books.length;
      progress.totals.deadLetters += chunk.failures.length;
      events++;
    }
    if (snapshot === undefined) {
      // Dead-lettered above as a response that is not a snapshot; without its timestamp there is no next date.
      throw new OddsflowError(
        'PROVIDER_PROTOCOL',
        `historical odds at ${new Date(date).toISOString()}: not a snapshot (dead-lettered)`,
      );
    }
    const nextDate = Math.max(
      typeof next === 'string' && !Number.isNaN(Date.parse(next)) ? Date.parse(next) : Infinity,
      snapshot.timestamp + options.intervalMs,
      date + 1,
    );
    progress.nextSnapshot = Number.isFinite(nextDate) ? new Date(nextDate).toISOString() : null;
    progress.totals.files += 1;
    options.onSnapshot?.(progress, { timestamp: snapshot.timestamp, events });
    await options.checkpoint(progress, false);
    if (!Number.isFinite(nextDate)) break;
    date = nextDate;
  }
  progress.complete = true;
  await options.checkpoint(progress, true);
  return 'complete';
}
