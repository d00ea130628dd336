import type { RawMarketBook } from '../../src/core/generated/avro-types.js';

/**
 * The Odds API lists only what a bookmaker offers now: a bookmaker whose market is missing from a
 * later response of the same poll has taken its prices down (suspended them, or stopped covering
 * the market). The response says nothing else, so without this its last prices would stay the
 * "latest" in every store and in the cross-book state. A withdrawal is the last book again, with
 * status SUSPENDED and no prices, at the time of the response that no longer lists it.
 *
 * Only events still in the response count: an event that left it has ended or dropped out of the
 * window (`upcoming` lists the next few events only), which results and key expiry deal with. A
 * response with malformed parts withdraws nothing: what could not be read is not known to be gone.
 */
export interface WithdrawalTracker {
  /** The withdrawals one response of the poll implies. Pure: nothing is remembered until `remember`. */
  withdrawals(books: readonly RawMarketBook[], response: ResponseFacts): RawMarketBook[];
  /** Once the response's books (and withdrawals) are published: it becomes the one to compare with. */
  remember(books: readonly RawMarketBook[], response: ResponseFacts): void;
  /** Books remembered. */
  readonly size: number;
}

export interface ResponseFacts {
  receivedAt: number;
  /** False when parts of it could not be read. */
  complete: boolean;
  /** The events it lists, with or without bookmakers (all of them suspended is still listed). */
  events: readonly string[];
}

const keyOf = (b: RawMarketBook): string => `${b.sourceEventId}\u0000${b.bookmaker}\u0000${b.sourceMarketId}`;

export function withdrawalOf(last: RawMarketBook, receivedAt: number): RawMarketBook {
  return {
    ...last,
    status: 'SUSPENDED',
    selections: last.selections.map((s) => ({ ...s, price: null })),
    // Not earlier than the book it withdraws: newer wins downstream, so a withdrawal must be newer.
    eventTime: Math.max(receivedAt, last.eventTime),
    receivedAt,
    payload: JSON.stringify({
      withdrawn: true,
      reason: 'no longer in the response',
      sourceEventId: last.sourceEventId,
      bookmaker: last.bookmaker,
      market: last.sourceMarketId,
    }),
  };
}

export function createWithdrawalTracker(): WithdrawalTracker {
  let previous = new Map<string, RawMarketBook>();
  return {
    withdrawals(books, response) {
      if (!response.complete) return [];
      const current = new Set(books.map(keyOf));
      const listedEvents = new Set(response.events);
      return [...previous]
        .filter(([key, last]) => !current.has(key) && listedEvents.has(last.sourceEventId))
        .map(([, last]) => withdrawalOf(last, response.receivedAt));
    },
    remember(books, response) {
      const current = new Map(books.map((b) => [keyOf(b), b]));
      previous = response.complete ? current : new Map([...previous, ...current]);
    },
    get size() {
      return previous.size;
    },
  };
}
