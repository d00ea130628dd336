/**
 * How far past its median a recording's provider times plausibly reach: real responses span up to
 * an hour (a golf outright's bookmakers: 54 min), so three hours is a clock's error, not the data.
 */
const recordingSpreadMs = 3 * 3_600_000;

/**
 * When a recorded payload was received, for the records read from it. A recording has no
 * receipt time of its own; reading it "now" is right for the past recordings of real data, but a
 * file dated ahead of today (made-up data, a recording replayed on a machine whose clock is
 * behind) would then have every quote "stamped in the future". So: now, or the newest provider
 * time of the file if that is later — ignoring times more than three hours past the file's median,
 * which are one clock's error, not the time of the recording (that quote stays future-stamped).
 */
export function recordingReceivedAt(providerTimes: readonly number[], now: number): number {
  const times = providerTimes.filter(Number.isFinite).sort((a, b) => a - b);
  if (times.length === 0) return now;
  const median = times[Math.floor((times.length - 1) / 2)]!;
  const plausible = times.filter((t) => t <= median + recordingSpreadMs);
  return Math.max(now, plausible[plausible.length - 1] ?? now);
}
