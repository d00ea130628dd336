import { Redis } from 'ioredis';

/**
 * The newest record time of each hash: the largest `t` among its values (every value the Redis
 * sink writes starts with {"t":<eventTime ms>). Computed in Redis so a poll returns one number
 * per key instead of every field.
 */
const newestScript = `
local out = {}
for i, key in ipairs(KEYS) do
  local newest = 0
  for _, v in ipairs(redis.call('HVALS', key)) do
    local t = tonumber(string.match(v, '^{"t":(%d+)'))
    if t and t > newest then newest = t end
  end
  out[i] = newest
end
return out
`;

export interface LatencySample {
  kind: string;
  /** Milliseconds from the record's provider time to the midpoint of the poll interval that saw it. */
  ms: number;
}

export interface RedisLatencyProbe {
  /** Keys polled, by kind (e.g. odds, pricing). */
  watch(kind: string, keys: readonly string[]): void;
  /** Samples seen at or after `sinceMs` (wall clock, ms since the epoch). */
  samples(sinceMs: number): LatencySample[];
  /** Mean time between two polls, ms: the resolution of every sample (± half of it). */
  meanPollMs(): number;
  stop(): Promise<void>;
}

/**
 * Polls the watched hashes back to back (a short pause between polls) and records, for each new
 * newest `t` of a key, the time it was first seen. A record became readable somewhere between
 * the previous poll and this one: the sample is the midpoint, so its error is ± half a poll
 * interval (plus the Redis round trip, well under a millisecond here). A record overwritten by a
 * newer one of the same key within one interval is never seen; that only thins the sample.
 */
export function startRedisLatencyProbe(url: string, pauseMs: number): RedisLatencyProbe {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 });
  const watched: { kind: string; key: string }[] = [];
  const newest = new Map<string, number>();
  const observed: (LatencySample & { seenAt: number })[] = [];
  let polls = 0;
  let firstPollAt: number | undefined;
  let lastPollAt: number | undefined;
  let running = true;
  const now = () => performance.timeOrigin + performance.now();

  const loop = async (): Promise<void> => {
    while (running) {
      if (watched.length > 0) {
        const keys = watched.map((w) => w.key);
        const times = (await redis.eval(newestScript, keys.length, ...keys)) as number[];
        const at = now();
        const seenFrom = lastPollAt ?? at;
        watched.forEach(({ kind, key }, i) => {
          const t = times[i] ?? 0;
          if (t > (newest.get(key) ?? 0)) {
            // The first sight of a key only tells where it stands, not when it got there.
            if (newest.has(key)) observed.push({ kind, seenAt: at, ms: (seenFrom + at) / 2 - t });
            newest.set(key, t);
          }
        });
        polls++;
        firstPollAt ??= at;
        lastPollAt = at;
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const looping = loop();

  return {
    watch(kind, keys) {
      for (const key of keys) if (!watched.some((w) => w.key === key)) watched.push({ kind, key });
    },
    samples: (sinceMs) => observed.filter((s) => s.seenAt >= sinceMs).map(({ kind, ms }) => ({ kind, ms })),
    meanPollMs: () =>
      polls > 1 && firstPollAt !== undefined && lastPollAt !== undefined
        ? (lastPollAt - firstPollAt) / (polls - 1)
        : NaN,
    async stop() {
      running = false;
      await looping;
      await redis.quit();
    },
  };
}
