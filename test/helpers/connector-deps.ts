import type { ParseFailure, RawPublisher } from '../../connectors/contract.js';
import type { RawMarketBook, RawResult } from '../../src/core/generated/avro-types.js';

/**
 * The project's RawPublisher, in memory: what a connector handed over, in order. A test may hold
 * book publishing back (`gate`) or fail the next calls with a retriable error (`failNextBookCalls`).
 */
export class CollectingPublisher implements RawPublisher {
  readonly books: RawMarketBook[] = [];
  readonly results: RawResult[] = [];
  readonly deadLetters: ParseFailure[] = [];
  gate: Promise<void> | undefined;
  /** Calls of publishBooks so far, those still held by the gate included. */
  publishing = 0;
  failNextBookCalls = 0;

  publishBooks(books: readonly RawMarketBook[]): Promise<void> {
    this.publishing++;
    // Without a gate the call settles as soon as a real acknowledged publish could, at the earliest.
    return this.gate === undefined ? this.acceptBooks(books) : this.gate.then(() => this.acceptBooks(books));
  }

  publishResults(results: readonly RawResult[]): Promise<void> {
    this.results.push(...results);
    return Promise.resolve();
  }

  deadLetter(failure: ParseFailure): Promise<void> {
    this.deadLetters.push(failure);
    return Promise.resolve();
  }

  private acceptBooks(books: readonly RawMarketBook[]): Promise<void> {
    if (this.failNextBookCalls > 0) {
      this.failNextBookCalls -= 1;
      return Promise.reject(new Error('broker not reachable'));
    }
    this.books.push(...books);
    return Promise.resolve();
  }
}

/** A prom-client metric's value summed over the series whose labels match `labels`. */
export async function metricValue(
  metric: {
    get(): Promise<{ values: { value: number; labels: Record<string, string | number | undefined> }[] }>;
  },
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}
