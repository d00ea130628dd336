import { LruMap } from '../../src/core/lru-map.js';

export interface DedupeKey {
  eventId: string;
  marketId: string;
  bookmaker: string;
  side: string;
}

/**
 * Drops a book whose content hash equals the previous one of the same (event, market,
 * bookmaker, side): pollers re-send unchanged books every cycle. Only the latest hash per key is
 * kept, for at most `capacity` keys (least recently seen forgotten first; a forgotten key's next
 * book simply passes). A change and a change back (A, B, A) is three books, not a duplicate.
 */
export class BookDedupe {
  private readonly latest: LruMap<string, string>;

  constructor(capacity = 200_000) {
    this.latest = new LruMap(capacity);
  }

  get size(): number {
    return this.latest.size;
  }

  clear(): void {
    this.latest.clear();
  }

  /** True when the book repeats the latest one of its key; records it as the latest otherwise. */
  isDuplicate(key: DedupeKey, hash: string): boolean {
    const k = [key.eventId, key.marketId, key.bookmaker, key.side].join('\u0000');
    if (this.latest.get(k) === hash) return true;
    this.latest.set(k, hash);
    return false;
  }
}
