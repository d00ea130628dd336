import type { TopicId } from './topics.js';
import type { TopicValues } from '../serde/schemas.js';

/** A record to produce: the topic of the contract, its key, and the value of that topic's type. */
export type OutputRecord<T extends TopicId = TopicId> = {
  [K in T]: { topic: K; key: string | null; value: TopicValues[K] };
}[T];

/** Where a consumed record came from; dead letters carry it so ops can find the original. */
export interface SourcePosition {
  topic: string;
  partition: number;
  offset: string;
}

/** Keys of ARCHITECTURE §2. */
export const recordKeys = {
  rawBook: (r: { provider: string; sourceEventId: string; sourceMarketId: string }) =>
    `${r.provider}:${r.sourceEventId}:${r.sourceMarketId}`,
  rawResult: (r: { provider: string; sourceEventId: string }) => `${r.provider}:${r.sourceEventId}`,
  market: (r: { eventId: string; marketId: string }) => `${r.eventId}:${r.marketId}`,
  /**
   * Per market and provider: results.normalized is compacted, and a race's WIN and PLACE results
   * (or two providers' results of one game) must each survive compaction. `marketId` is empty
   * for a result of the whole event. Before issue 13 the key was the event id alone; see
   * `oddsflow topics rekey-results`.
   */
  result: (r: { eventId: string; marketId: string | null; provider: string }) =>
    `${r.eventId}:${r.marketId ?? ''}:${r.provider}`,
};
