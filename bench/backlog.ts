import type { Message } from 'kafkajs';
import type { RawMarketBook, RawResult } from '../src/core/generated/avro-types.js';
import { recordKeys } from '../src/core/kafka/records.js';
import { recordsOf, simulatedStream } from './betfair-input.js';
import type { BenchEnv } from './env.js';

export interface RawBacklog {
  books: RawMarketBook[];
  results: RawResult[];
  /** The books as the connector puts them on odds.raw: key and Avro value (Confluent wire format). */
  messages: Message[];
  meanValueBytes: number;
}

/**
 * The Betfair connector's output for `changes` simulated market changes (the simulator's
 * markets, the connector's BetfairStreamProcessor), published times starting an hour ago.
 */
export async function rawBacklog(env: BenchEnv, changes: number): Promise<RawBacklog> {
  const { books, results } = recordsOf(simulatedStream({ changes, startMs: Date.now() - 3_600_000 }));
  const messages: Message[] = [];
  let bytes = 0;
  for (const book of books) {
    const value = await env.serde.encode('oddsRaw', book);
    bytes += value.length;
    messages.push({ key: recordKeys.rawBook(book), value });
  }
  return { books, results, messages, meanValueBytes: bytes / Math.max(1, messages.length) };
}
