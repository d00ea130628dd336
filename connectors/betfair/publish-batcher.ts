import type { RawMarketBook, RawResult } from '../../src/core/generated/avro-types.js';
import type { RawPublisher } from '../contract.js';
import type { Delivery } from '../runtime/hand-over.js';
import type { ResumeState } from './resume-state.js';

/**
 * Most records held back while a publish is in flight; past it, the stream waits (backpressure) and
 * the frames wait as received text, which is far smaller than the books made of them. A publish of
 * 1,000 records is already one request per partition; at 5,000 the held books took the connector's
 * peak RSS to 320–390 MiB at 2,000 changes/s, against 240 at 1,000, with no fewer changes received.
 */
const maxPendingRecords = 1_000;

/**
 * Frames applied while a publish is in flight wait here and go out together in the next one: a
 * publish is a Kafka round trip (acks=all), and one per frame capped the connector at a few
 * hundred frames a second, below a busy Exchange Stream. After each publish the resume state
 * moves up to the frames it carried.
 */
export class PublishBatcher {
  private readonly pending = {
    frames: 0,
    books: [] as RawMarketBook[],
    results: [] as RawResult[],
    publishTime: 0,
  };
  private flushing: Promise<void> | undefined;
  /** Stopped before a publish was handed over: what follows it must not be published either. */
  private lost = false;

  /** Whether the connector stopped with records not handed over: it takes no more. */
  get abandoned(): boolean {
    return this.lost;
  }

  constructor(
    private readonly publisher: RawPublisher,
    private readonly publishOrDeadLetter: (delivery: Delivery) => Promise<boolean>,
    private readonly resume: ResumeState,
  ) {}

  /** Whether every frame added so far was handed over (none waits, none was let go at stop). */
  get complete(): boolean {
    return !this.lost && this.pending.frames === 0;
  }

  /** Takes one frame's records; waits when too many are held back already. */
  async add(books: readonly RawMarketBook[], results: readonly RawResult[], publishTime: number) {
    if (this.lost) return;
    this.pending.frames++;
    this.pending.books.push(...books);
    this.pending.results.push(...results);
    this.pending.publishTime = publishTime;
    this.flushing ??= this.flush();
    if (this.pending.books.length + this.pending.results.length >= maxPendingRecords) await this.flushing;
  }

  /** Resolves once the publish in flight (and any it started) has settled. */
  async settled(): Promise<void> {
    await this.flushing;
  }

  /**
   * Publishes until nothing waits. `flushing` is cleared in the same turn as the check that found
   * nothing, so a frame arriving a moment later starts a new flush instead of waiting for one.
   */
  private async flush(): Promise<void> {
    const { pending, publisher } = this;
    try {
      while (pending.frames > 0 && !this.lost) {
        const books = pending.books.splice(0);
        const results = pending.results.splice(0);
        const through = pending.publishTime;
        pending.frames = 0;
        const state = this.resume.dueSnapshot(through);
        const handed =
          (await this.publishOrDeadLetter({
            kind: 'book',
            count: books.length,
            send: () => publisher.publishBooks(books),
            payload: () => JSON.stringify(books),
          })) &&
          (await this.publishOrDeadLetter({
            kind: 'result',
            count: results.length,
            send: () => publisher.publishResults(results),
            payload: () => JSON.stringify(results),
          }));
        if (!handed) {
          this.lost = true;
          return;
        }
        await this.resume.handedOver(through, state);
      }
    } finally {
      this.flushing = undefined;
    }
  }
}
