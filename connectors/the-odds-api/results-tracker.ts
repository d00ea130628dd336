import type { RawResult } from '../../src/core/generated/avro-types.js';
import { LruMap } from '../../src/core/lru-map.js';

export interface ResultsTracker {
  /**
   * The results to publish: completed events not published before. That is the
   * `completed: false → true` transition, and an event first seen already completed (after a
   * restart, or finished between two polls). Pure: nothing is remembered until `markPublished`,
   * so a failed publish is tried again on the next poll.
   */
  newlyCompleted(results: readonly RawResult[]): RawResult[];
  markPublished(results: readonly RawResult[]): void;
  readonly size: number;
}

/**
 * Remembers published event ids, at most `capacity` of them, forgetting the oldest first. The
 * scores endpoint returns at most the last 3 days (`daysFrom` ≤ 3), so a capacity above the number
 * of events a feed completes in 3 days never forgets an id the provider can still send; if one is
 * forgotten anyway, the duplicate is harmless because results.raw is keyed by event and sinks upsert.
 */
export function createResultsTracker(capacity = 10_000): ResultsTracker {
  const published = new LruMap<string, true>(capacity);
  return {
    newlyCompleted(results) {
      const seen = new Set<string>();
      return results.filter((r) => {
        if (!r.completed || published.has(r.sourceEventId) || seen.has(r.sourceEventId)) return false;
        seen.add(r.sourceEventId);
        return true;
      });
    },
    markPublished(results) {
      for (const r of results) published.set(r.sourceEventId, true);
    },
    get size() {
      return published.size;
    },
  };
}
