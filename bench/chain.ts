import { createEnrichStage } from '../processors/pipeline/enrich-stage.js';
import { createOfflineChain } from '../processors/pipeline/offline-chain.js';
import { createPrepareStage } from '../processors/pipeline/prepare-stage.js';
import type { Settings } from '../src/app/config/settings.js';
import type {
  MarketBook,
  MarketPricing,
  RawMarketBook,
  RawResult,
  Result,
} from '../src/core/generated/avro-types.js';
import { pipelineOptions } from '../src/app/roles/processors.js';

export interface ChainOutput {
  books: MarketBook[];
  pricing: MarketPricing[];
  results: Result[];
  deadLetters: number;
}

/** What the processors make of raw records (the same stages, run in memory as `oddsflow transform` does). */
export async function runChain(
  settings: Settings,
  raw: { books: readonly RawMarketBook[]; results: readonly RawResult[] },
): Promise<ChainOutput> {
  const now = () => Date.now();
  const options = await pipelineOptions(settings, now);
  const chain = createOfflineChain(
    createPrepareStage(options.prepare),
    createEnrichStage(options.enrich),
    now,
  );
  const out: ChainOutput = { books: [], pricing: [], results: [], deadLetters: 0 };
  for (const output of [...chain.books(raw.books), ...chain.results(raw.results)]) {
    const { type, ...value } = output;
    if (type === 'market_book') out.books.push(value as MarketBook);
    else if (type === 'pricing') out.pricing.push(value as MarketPricing);
    else if (type === 'result') out.results.push(value as Result);
    else out.deadLetters++;
  }
  return out;
}
