/**
 * Event-time series of one selection and the window statistics over them. Pure functions over a
 * plain array kept in ascending time order; the caller guarantees that appended times never go
 * backwards (see market-state.ts for how late records are stamped).
 */

export interface SeriesPoint {
  /** Event time, epoch ms. */
  t: number;
  /** Consensus fair probability. */
  p: number;
  /** Best back odds across books. */
  odds: number;
}

export const minuteMs = 60_000;

/**
 * Appends a point, keeping only the latest point per `resolutionMs` bucket. A market updating
 * many times a second would otherwise grow the window without bound and weight volatility by
 * update rate; with buckets a 5-minute window holds at most 5·60_000/resolutionMs + 1 points.
 */
export function appendPoint(points: SeriesPoint[], point: SeriesPoint, resolutionMs: number): void {
  const last = points[points.length - 1];
  if (last !== undefined && Math.floor(last.t / resolutionMs) === Math.floor(point.t / resolutionMs)) {
    points[points.length - 1] = point;
  } else {
    points.push(point);
  }
}

/**
 * Drops points that no window starting at `now - windowMs` can need: everything older than the
 * last point at or before the window start, which stays as the value in force when the window opens.
 */
export function trimPoints(points: SeriesPoint[], now: number, windowMs: number): void {
  const start = now - windowMs;
  let drop = 0;
  while (drop + 1 < points.length && (points[drop + 1]?.t ?? Infinity) <= start) drop += 1;
  if (drop > 0) points.splice(0, drop);
}

/**
 * Index of the point in force at time `at`: the last one at or before it, or the first point when
 * the series starts later (before the first observation we have no evidence of any change).
 */
function indexAt(points: readonly SeriesPoint[], at: number): number {
  let found = 0;
  for (let i = 0; i < points.length && (points[i]?.t ?? Infinity) <= at; i++) found = i;
  return found;
}

/**
 * Change of the consensus probability per minute over the window ending at the last point:
 * (p(now) − p(now − window)) / window, with p the step function of the observations. Dividing by
 * the full window (not the time since the first observation) keeps a young series from reporting
 * huge rates off a few seconds of data: |velocity| ≤ 1 / window in minutes.
 */
export function probabilityVelocity(points: readonly SeriesPoint[], windowMs: number): number {
  const current = points[points.length - 1];
  if (current === undefined) return 0;
  const reference = points[indexAt(points, current.t - windowMs)] ?? current;
  return (current.p - reference.p) / (windowMs / minuteMs);
}

/**
 * Sample standard deviation of the log changes ln(oddsᵢ / oddsᵢ₋₁) between consecutive points of
 * the window (the point in force at the window start included); 0 with fewer than two changes.
 */
export function oddsVolatility(points: readonly SeriesPoint[], windowMs: number): number {
  const current = points[points.length - 1];
  if (current === undefined) return 0;
  const from = indexAt(points, current.t - windowMs);
  const changes: number[] = [];
  for (let i = from + 1; i < points.length; i++) {
    const before = points[i - 1];
    const after = points[i];
    if (before !== undefined && after !== undefined)
      changes.push(Math.log(after.odds) - Math.log(before.odds));
  }
  if (changes.length < 2) return 0;
  const mean = changes.reduce((a, b) => a + b, 0) / changes.length;
  const variance = changes.reduce((sum, r) => sum + (r - mean) ** 2, 0) / (changes.length - 1);
  return Math.sqrt(variance);
}
