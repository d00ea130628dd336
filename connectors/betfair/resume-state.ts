import { describeError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { MarketCatalogueCache } from './catalogue.js';
import type { StreamState, StreamStateStore } from './state-store.js';
import type { BetfairStreamProcessor } from './stream-processor.js';

/**
 * What a restart resumes from (clocks, cache, catalogue), written to `stateDir` at most every
 * `flushMs`. The saved state must never be ahead of what was published: it is the cache as it
 * stood when everything applied so far was handed over.
 */
export class ResumeState {
  /** Publish time of the last frame handed over. */
  private publishTime = 0;
  private savedAt = 0;
  private unsaved = false;

  constructor(
    private readonly store: StreamStateStore,
    private readonly processor: BetfairStreamProcessor,
    private readonly catalogue: () => MarketCatalogueCache | undefined,
    private readonly flushMs: number,
    private readonly log: Logger,
  ) {}

  /**
   * The state as it stands, when a save is due (else undefined): taken before the publish of the
   * frames applied through `publishTime`, so the cache holds exactly those.
   */
  dueSnapshot(publishTime: number): StreamState | undefined {
    return performance.now() - this.savedAt >= this.flushMs ? this.snapshot(publishTime) : undefined;
  }

  /** Everything through `publishTime` is published; saves `state` when one was taken. */
  async handedOver(publishTime: number, state: StreamState | undefined): Promise<void> {
    this.publishTime = publishTime;
    this.unsaved = true;
    if (state !== undefined) await this.save(state);
  }

  /** At stop, with nothing left unpublished: saves what was handed over since the last save. */
  async saveIfBehind(): Promise<void> {
    if (this.unsaved) await this.save(this.snapshot(this.publishTime));
  }

  /** Gives the processor and the catalogue what was saved, when it fits this subscription. */
  async restore(): Promise<void> {
    const loaded = await this.store.load();
    if (loaded.kind === 'discarded') this.log.warn({ reason: loaded.reason }, 'saved stream state ignored');
    if (loaded.kind !== 'loaded') return;
    const { markets, clocks } = loaded.state;
    this.publishTime = loaded.state.publishTime;
    this.processor.restore(markets, clocks, this.publishTime);
    this.catalogue()?.restore(loaded.state.catalogue);
    this.log.info({ markets: markets.length, resumable: clocks.clk !== undefined }, 'stream state restored');
  }

  private snapshot(publishTime: number): StreamState {
    const markets = this.processor.cache.toImage();
    const names = markets.flatMap((m) => this.catalogue()?.peek(m.id) ?? []);
    return { clocks: this.processor.clocks(), publishTime, markets, catalogue: names };
  }

  private async save(state: StreamState): Promise<void> {
    this.savedAt = performance.now();
    this.unsaved = false;
    try {
      await this.store.save(state);
    } catch (err) {
      this.log.warn({ err }, `resume state not saved: ${describeError(err)}`);
    }
  }
}
