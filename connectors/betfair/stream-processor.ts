import type { RawMarketBook, RawResult } from '../../src/core/generated/avro-types.js';
import type { ParseFailure } from '../contract.js';
import { BookBuilder } from './books.js';
import type { OversizedLine } from './line-splitter.js';
import { MarketCache } from './market-cache.js';
import {
  changeTypeOf,
  parseFailure,
  parseFrame,
  reasonCodes,
  type ChangeType,
  type ConnectionMessage,
  type MarketChange,
  type StatusMessage,
} from './protocol.js';
import { ReceivedChangeTexts } from './received-text.js';
import type { StreamClocks } from './requests.js';

export type FrameOutcome =
  | {
      kind: 'change';
      changeType: ChangeType | undefined;
      /** Part of a segment still being buffered: nothing applied yet. */
      buffered: boolean;
      publishTime: number;
      books: RawMarketBook[];
      results: RawResult[];
    }
  | { kind: 'status'; message: StatusMessage }
  | { kind: 'connection'; message: ConnectionMessage }
  | { kind: 'other'; op: string }
  | { kind: 'failure'; failure: ParseFailure };

export interface StreamProcessorOptions {
  closedMarketEvictionMs: number;
}

/**
 * Frame in, records out: parse → cache → books. One instance per stream, fed in order; the live
 * client and the recorded-file reader both go through it, so they cannot disagree.
 */
export class BetfairStreamProcessor {
  readonly cache: MarketCache;
  private readonly received = new ReceivedChangeTexts();
  private readonly builder = new BookBuilder((change) => this.received.textOf(change));

  constructor(options: StreamProcessorOptions) {
    this.cache = new MarketCache(options);
  }

  handleLine(line: string | OversizedLine, receivedAt: number): FrameOutcome {
    if (typeof line !== 'string') {
      const message = `line of ${line.length} bytes is over the limit; only its first ${line.head.length} bytes are kept`;
      const errors = [{ path: '$', code: reasonCodes.lineTooLong, message }];
      return { kind: 'failure', failure: parseFailure(reasonCodes.lineTooLong, errors, line.head) };
    }
    const frame = parseFrame(line);
    if (frame.kind !== 'mcm') return frame;
    this.received.remember(frame.message, line);
    const update = this.cache.apply(frame.message);
    if (update === undefined) {
      return {
        kind: 'change',
        changeType: changeTypeOf(frame.message),
        buffered: true,
        publishTime: frame.message.pt,
        books: [],
        results: [],
      };
    }
    const { books, results } = this.builder.build(update, receivedAt);
    const { changeType, publishTime } = update;
    return { kind: 'change', changeType, buffered: false, publishTime, books, results };
  }

  clocks(): StreamClocks {
    return this.cache.clocks();
  }

  /** Puts back a persisted cache; what it holds counts as published, so it is not re-emitted. */
  restore(image: readonly MarketChange[], clocks: StreamClocks, publishTime: number): void {
    this.cache.restore(image, clocks, publishTime);
    this.builder.prime(this.cache.values());
  }
}
