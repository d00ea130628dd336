import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { marketCatalogueSchema, type MarketCatalogue } from './betting-api.js';
import { marketChangeSchema, type MarketChange } from './protocol.js';
import type { StreamClocks, SubscriptionSettings } from './requests.js';

/**
 * What a restart needs to resume with RESUB_DELTA: the clocks *and* the cache they belong to.
 * Clocks alone would bring back only deltas, which mean nothing to an empty cache.
 */
export interface StreamState {
  clocks: StreamClocks;
  publishTime: number;
  markets: MarketChange[];
  /**
   * The catalogue of those markets: a settled market has left Betfair's catalogue, and its
   * result still needs the runner names after a restart.
   */
  catalogue: MarketCatalogue[];
}

const fileSchema = z.object({
  version: z.literal(1),
  /** Fingerprint of the subscription: clocks of another filter must not be resumed. */
  subscription: z.string(),
  initialClk: z.string().optional(),
  clk: z.string().optional(),
  publishTime: z.number(),
  markets: z.array(marketChangeSchema),
  /** Absent in files written before the catalogue was kept. */
  catalogue: z.array(marketCatalogueSchema).default([]),
});

export function subscriptionFingerprint(settings: SubscriptionSettings): string {
  const { marketFilter, fields, ladderLevels } = settings;
  return createHash('sha256')
    .update(JSON.stringify([marketFilter, [...fields].sort(), ladderLevels]))
    .digest('hex')
    .slice(0, 16);
}

export type LoadResult =
  | { kind: 'loaded'; state: StreamState }
  | { kind: 'absent' }
  /** Unreadable, or written for another subscription: ignored, a full image is asked for. */
  | { kind: 'discarded'; reason: string };

export class StreamStateStore {
  readonly path: string;

  constructor(
    private readonly stateDir: string,
    private readonly fingerprint: string,
  ) {
    this.path = join(stateDir, 'betfair-stream-state.json');
  }

  async load(): Promise<LoadResult> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
      return { kind: 'discarded', reason: (err as Error).message };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      return { kind: 'discarded', reason: `not JSON: ${(err as Error).message}` };
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) return { kind: 'discarded', reason: `unexpected shape: ${parsed.error.message}` };
    const { subscription, initialClk, clk, publishTime, markets, catalogue } = parsed.data;
    if (subscription !== this.fingerprint)
      return { kind: 'discarded', reason: 'written for another subscription' };
    return { kind: 'loaded', state: { clocks: { initialClk, clk }, publishTime, markets, catalogue } };
  }

  /** Written to a temporary file and renamed, so a crash mid-write leaves the old state whole. */
  async save(state: StreamState): Promise<void> {
    await mkdir(this.stateDir, { recursive: true });
    const body = {
      version: 1,
      subscription: this.fingerprint,
      initialClk: state.clocks.initialClk,
      clk: state.clocks.clk,
      publishTime: state.publishTime,
      markets: state.markets,
      catalogue: state.catalogue,
    };
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(body));
    await rename(temporary, this.path);
  }
}
