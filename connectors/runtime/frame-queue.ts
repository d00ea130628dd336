export interface FrameQueueHooks<T> {
  /** Handles one item; the next one waits until this settles. */
  handle(item: T): Promise<void>;
  onError(err: unknown): void;
  /** Called once when the queue reaches its high-water mark (stop reading the source). */
  pause(item: T): void;
  /** Called once the queue is back to half the mark (read again). */
  resume(item: T): void;
}

/** A byte budget: a count alone lets 1,000 lines of 32 MiB wait in memory. */
export interface ByteLimit<T> {
  max: number;
  sizeOf(item: T): number;
}

/**
 * Items handled one at a time and in arrival order, with backpressure: past `highWater`
 * waiting items, or past `bytes.max` waiting bytes, the source is paused rather than buffered
 * without bound; it resumes once both are back to half.
 */
export class FrameQueue<T> {
  private readonly items: T[] = [];
  private draining: Promise<void> = Promise.resolve();
  private paused = false;
  private closed = false;
  private queuedBytes = 0;

  constructor(
    private readonly highWater: number,
    private readonly hooks: FrameQueueHooks<T>,
    private readonly bytes?: ByteLimit<T>,
  ) {}

  /** Items waiting, the one being handled included. */
  get length(): number {
    return this.items.length;
  }

  /** Bytes of the items waiting (and the one being handled), by `bytes.sizeOf`. */
  get size(): number {
    return this.queuedBytes;
  }

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.queuedBytes += this.bytes?.sizeOf(item) ?? 0;
    const full =
      this.items.length >= this.highWater || (this.bytes !== undefined && this.queuedBytes >= this.bytes.max);
    if (full && !this.paused) {
      this.paused = true;
      this.hooks.pause(item);
    }
    if (this.items.length === 1) this.draining = this.drain();
  }

  /** Resolves once every item pushed so far is handled. */
  idle(): Promise<void> {
    return this.draining;
  }

  /** Drops what is still waiting (the item being handled finishes) and accepts nothing more. */
  close(): Promise<void> {
    this.closed = true;
    for (const dropped of this.items.splice(1)) this.queuedBytes -= this.bytes?.sizeOf(dropped) ?? 0;
    return this.draining;
  }

  private async drain(): Promise<void> {
    for (let item = this.items[0]; item !== undefined; item = this.items[0]) {
      try {
        await this.hooks.handle(item);
      } catch (err) {
        this.hooks.onError(err);
      }
      this.items.shift();
      this.queuedBytes -= this.bytes?.sizeOf(item) ?? 0;
      const low =
        this.items.length <= this.highWater / 2 &&
        (this.bytes === undefined || this.queuedBytes <= this.bytes.max / 2);
      if (this.paused && low) {
        this.paused = false;
        this.hooks.resume(item);
      }
    }
  }
}
