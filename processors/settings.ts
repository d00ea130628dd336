import { z } from 'zod';
import { positiveInt } from '../src/core/config/settings.js';
import { commissionTableSchema, defaultCommissionTable } from './enrich/commission.js';
import { marginMethods } from './enrich/margin-methods.js';
import { defaultFeaturesIdleMinutes } from './features/config.js';

/** The processors' settings (src/app/config/settings.ts adds them to the kernel's). */
export const processorSettingsShape = {
  ODDSFLOW_MARGIN_METHOD: z.enum(marginMethods).default('multiplicative'),
  ODDSFLOW_ODDS_MIN: z.coerce.number().min(1).default(1.01),
  ODDSFLOW_ODDS_MAX: z.coerce.number().min(1).default(1000),
  ODDSFLOW_START_WINDOW_AHEAD_DAYS: z.coerce.number().min(0).default(400),
  ODDSFLOW_START_WINDOW_AFTER_HOURS: z.coerce.number().min(0).default(168),
  ODDSFLOW_RACING_EVENT_KEY: z.enum(['start-time', 'race-number']).default('start-time'),
  ODDSFLOW_TEAM_ALIASES_FILE: z.string().optional(),
  ODDSFLOW_VENUE_ALIASES_FILE: z.string().optional(),
  ODDSFLOW_SELECTION_ALIASES_FILE: z.string().optional(),
  ODDSFLOW_EVENT_START_TOLERANCE_MINUTES: z.coerce.number().min(0).max(720).default(60),
  ODDSFLOW_QUOTE_MAX_AGE_PRE_MATCH_S: z.coerce.number().positive().default(3600),
  ODDSFLOW_QUOTE_MAX_AGE_IN_PLAY_S: z.coerce.number().positive().default(90),
  ODDSFLOW_QUOTE_FUTURE_TOLERANCE_S: z.coerce.number().min(0).default(10),
  ODDSFLOW_COMMISSION: commissionTableSchema.default(() =>
    commissionTableSchema.parse(defaultCommissionTable),
  ),
  ODDSFLOW_TRANSACTION_MAX_RECORDS: positiveInt.max(100_000).default(1000),
  ODDSFLOW_FEATURES_IDLE_MINUTES: positiveInt.default(defaultFeaturesIdleMinutes),
  ODDSFLOW_STATE_WARMUP_MINUTES: z.coerce.number().int().min(0).default(15),
} as const;

type ProcessorSettings = z.output<z.ZodObject<typeof processorSettingsShape>>;

/** The rules between processor settings, for the composed schema's `superRefine`. */
export function checkProcessorSettings(s: ProcessorSettings, ctx: z.RefinementCtx): void {
  if (s.ODDSFLOW_ODDS_MIN >= s.ODDSFLOW_ODDS_MAX) {
    ctx.addIssue({
      code: 'custom',
      path: ['ODDSFLOW_ODDS_MIN'],
      message: 'must be below ODDSFLOW_ODDS_MAX',
    });
  }
}
