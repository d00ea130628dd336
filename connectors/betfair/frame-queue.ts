export interface FrameQueueHooks<T> {
  /** Handles one item; the next one waits until this settles. */
  handle(item: T): Promise<void>;
  onError(err: unknown): void;
  /** Called once when the queue reaches its high-water mark (stop reading the source). */
  pause(item: T): void;
  /** Called once the queue is back to half the mark (read again). */
  resume(item: T): void;
}

/**
 * Items handled one at a time and in arrival order, with backpressure: past `highWater`
 * waiting items the source is paused rather than buffered without bound.
 */
export class FrameQueue<T> {
  private readonly items: T[] = [];
  private draining: Promise<void> = Promise.resolve();
  private paused = false;
  private closed = false;

  constructor(
    private readonly highWater: number,
    private readonly hooks: FrameQueueHooks<T>,
  ) {}

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    if (this.items.length >= this.highWater && !this.paused) {
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
    this.items.splice(1);
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
      if (this.paused && this.items.length <= this.highWater / 2) {
        this.paused = false;
        this.hooks.resume(item);
      }
    }
  }
}
