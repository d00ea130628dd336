/**
 * Which quotes may be combined across books (docs/odds-math.md, section 6): only quotes of one
 * phase, none older than the phase's maximum age behind the newest quote of the market, none
 * stamped in the future. Pure; time is the providers' (event time), never the wall clock, so
 * `transform` and replays judge recorded data as it ran.
 */
export type Phase = 'pre-match' | 'in-play';

/** Why a book held in the cross-book state is not combined with the others. */
export type LeftOutReason = 'suspended' | 'closed' | 'other-phase' | 'stale' | 'future';

export const leftOutReasons: readonly LeftOutReason[] = [
  'suspended',
  'closed',
  'other-phase',
  'stale',
  'future',
];

export interface FreshnessOptions {
  /** A quote further than this behind the market's newest quote (of its phase) is stale. */
  maxAgeMs: Record<Phase, number>;
  /** A quote stamped more than this after it was received has a clock that cannot be trusted. */
  futureToleranceMs: number;
}

/**
 * Pre-match 60 min: pre-match prices move slowly and are re-sent only when they change; in real
 * The Odds API responses the bookmakers of one event lag the newest by up to 5–8 min (54 min on a
 * golf outright), so an hour keeps every bookmaker that is still updating and drops one that has
 * stopped. In-play 90 s: in-play prices move with every play, and a poller refreshes them every
 * ~40 s (one response showed bookmakers 47, 97, 145 and 240 s behind): 90 s allows one missed
 * refresh, not two. Future 10 s: providers' clocks and ours agree within a second or two under NTP.
 */
export const freshnessDefaults: FreshnessOptions = {
  maxAgeMs: { 'pre-match': 60 * 60_000, 'in-play': 90_000 },
  futureToleranceMs: 10_000,
};

/**
 * A quote is in play when its provider says so, or when it was stamped at or after the start
 * time: The Odds API has no flag, and a bookmaker's price after the off is a live price whatever
 * a feed's flag says. A race that goes off late is in play from its scheduled time on: that only
 * separates quotes, it never joins two phases.
 */
export function phaseOf(book: { inPlay: boolean; startTime: number | null; eventTime: number }): Phase {
  return book.inPlay || (book.startTime !== null && book.eventTime >= book.startTime)
    ? 'in-play'
    : 'pre-match';
}

export interface HeldBook {
  status: string;
  phase: Phase;
  eventTime: number;
  /** eventTime beyond receivedAt + tolerance when it arrived. */
  future: boolean;
}

/** Why `book` is not combined in a market of `phase` whose newest quote is at `asOf`; null when it is. */
export function leftOutReason(
  book: HeldBook,
  phase: Phase,
  asOf: number,
  options: FreshnessOptions,
): LeftOutReason | null {
  if (book.future) return 'future';
  if (book.status === 'CLOSED') return 'closed';
  if (book.status !== 'OPEN') return 'suspended';
  if (book.phase !== phase) return 'other-phase';
  if (asOf - book.eventTime > options.maxAgeMs[phase]) return 'stale';
  return null;
}

export function isFutureStamped(eventTime: number, receivedAt: number, options: FreshnessOptions): boolean {
  return eventTime - receivedAt > options.futureToleranceMs;
}
