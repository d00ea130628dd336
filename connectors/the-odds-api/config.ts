import { z } from 'zod';
import { requestRetrySchema } from '../runtime/backoff-config.js';

/** Sport, region, market and bookmaker keys are lower-case words: basketball_nba, us2, h2h_lay. */
const key = z.string().regex(/^[a-z0-9_]+$/, 'expected a lower-case key (letters, digits, underscores)');

export const sportConfigSchema = z.strictObject({
  /** A key from GET /v4/sports, or `upcoming` for the next events of every sport. */
  sport: key,
  regions: z.array(key).min(1),
  /** Each call costs markets × regions credits (https://the-odds-api.com/liveapi/guides/v4/#usage-quota-costs). */
  markets: z.array(key).min(1).default(['h2h']),
  oddsFormat: z.enum(['decimal', 'american']).default('decimal'),
  /** Narrows the books to these; every 10 bookmakers cost as much as one region. */
  bookmakers: z.array(key).min(1).optional(),
  pollIntervalMs: z.number().int().positive().default(60_000),
  /** Null: no scores polling for this sport (outrights and `upcoming` have none). */
  scoresIntervalMs: z.number().int().positive().nullable().default(300_000),
  /** How many days of completed games the scores call returns (the API allows 1 to 3). */
  daysFrom: z.number().int().min(1).max(3).default(1),
});

export const configSchema = z.strictObject({
  apiKey: z.string().min(1),
  baseUrl: z.url().default('https://api.the-odds-api.com'),
  sports: z.array(sportConfigSchema).min(1),
  requestTimeoutMs: z.number().int().positive().default(10_000),
  retry: requestRetrySchema({ attempts: 4, initialMs: 1_000, maxMs: 30_000 }),
  /** How the poll interval stretches as the credits run down: see `stretchInterval` in quota.ts. */
  quota: z
    .strictObject({
      comfortableShare: z.number().gt(0).max(1).default(0.5),
      maxIntervalMs: z.number().int().positive().default(3_600_000),
    })
    .prefault({}),
  /** Event ids remembered to publish each result once (see results-tracker.ts). */
  resultsMemory: z.number().int().positive().default(10_000),
});

export type TheOddsApiConfig = z.output<typeof configSchema>;
export type SportConfig = z.output<typeof sportConfigSchema>;
