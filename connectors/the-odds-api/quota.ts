/**
 * Usage credits as the provider reports them on every response
 * (https://the-odds-api.com/liveapi/guides/v4/#usage-quota-costs): `x-requests-remaining` and
 * `x-requests-used` for the period, `x-requests-last` for the cost of that very request.
 * Null where a header is absent or not a number.
 */
export interface Quota {
  remaining: number | null;
  used: number | null;
  last: number | null;
}

export const unknownQuota: Quota = { remaining: null, used: null, last: null };

function headerNumber(value: string | null): number | null {
  if (value === null || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

export function parseQuotaHeaders(get: (name: string) => string | null): Quota {
  return {
    remaining: headerNumber(get('x-requests-remaining')),
    used: headerNumber(get('x-requests-used')),
    last: headerNumber(get('x-requests-last')),
  };
}

/** Merges a new reading into the last one: a response without quota headers keeps what was known. */
export function mergeQuota(previous: Quota, next: Quota): Quota {
  return {
    remaining: next.remaining ?? previous.remaining,
    used: next.used ?? previous.used,
    last: next.last ?? previous.last,
  };
}

export interface QuotaPolicy {
  /** Share of the period's credits left above which the configured interval is kept. */
  comfortableShare: number;
  /** The longest interval the stretching may reach. */
  maxIntervalMs: number;
}

export const defaultQuotaPolicy: QuotaPolicy = { comfortableShare: 0.5, maxIntervalMs: 3_600_000 };

/**
 * The poll interval for the quota left. The rule, with s = remaining / (remaining + used):
 * - s ≥ comfortableShare (or quota unknown): the configured interval;
 * - below it: interval × comfortableShare / s (at 25 % left twice as long, at 5 % ten times),
 *   never above maxIntervalMs;
 * - nothing left, or less than the last call cost: maxIntervalMs, so the feed idles instead
 *   of spending its last credits on calls that fail.
 * Spending at a rate proportional to s makes the remaining credits decay exponentially rather
 * than run out at a fixed date: the feed grows staler gradually instead of stopping dead.
 */
export function stretchInterval(
  baseMs: number,
  quota: Quota,
  policy: QuotaPolicy = defaultQuotaPolicy,
): number {
  const { remaining, used, last } = quota;
  if (remaining === null) return baseMs;
  const ceiling = Math.max(baseMs, policy.maxIntervalMs);
  if (remaining <= 0 || (last !== null && remaining < last)) return ceiling;
  const total = remaining + (used ?? 0);
  const share = remaining / total;
  if (share >= policy.comfortableShare) return baseMs;
  return Math.min(ceiling, Math.round((baseMs * policy.comfortableShare) / share));
}
