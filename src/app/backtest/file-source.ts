import { readInputs, type InputOptions } from '../../../connectors/offline-readers.js';
import { createEnrichStage } from '../../../processors/pipeline/enrich-stage.js';
import { createOfflineChain } from '../../../processors/pipeline/offline-chain.js';
import { createPrepareStage } from '../../../processors/pipeline/prepare-stage.js';
import type { Settings } from '../config/settings.js';
import type { RawMarketBook, RawResult } from '../../core/generated/avro-types.js';
import { pipelineOptions } from '../roles/processors.js';
import { marketBaseRateIn } from './commission.js';
import type { BacktestEvent } from './engine.js';

export interface FileHistory {
  events: BacktestEvent[];
  /** Betfair market base rates by `eventId:marketId`, from the markets' definitions. */
  marketBaseRates: Map<string, number>;
  deadLetters: number;
}

type Raw = { kind: 'book'; value: RawMarketBook } | { kind: 'result'; value: RawResult };

/**
 * Recorded files as the backtest's events: every raw record of the input, sorted by provider
 * time (a stable sort: records of one time keep their file order), through the processors' own
 * chain (validate, normalize, enrich), so that books of different files and bookmakers meet in
 * the cross-book state as they would have live. The chain's clock is the record's own time.
 * The input's records are held in memory: for long histories backfill and use TimescaleDB.
 */
export async function historyFromFiles(input: InputOptions, settings: Settings): Promise<FileHistory> {
  const raws: Raw[] = [];
  for await (const chunk of readInputs(input)) {
    for (const value of chunk.books) raws.push({ kind: 'book', value });
    for (const value of chunk.results) raws.push({ kind: 'result', value });
  }
  raws.sort((a, b) => a.value.eventTime - b.value.eventTime);
  let clock = 0;
  const pipeline = await pipelineOptions(settings, () => clock);
  const chain = createOfflineChain(
    createPrepareStage(pipeline.prepare),
    createEnrichStage(pipeline.enrich),
    () => clock,
  );
  const rateBySource = new Map<string, number>();
  const marketBaseRates = new Map<string, number>();
  const events: BacktestEvent[] = [];
  let deadLetters = 0;
  for (const raw of raws) {
    clock = raw.value.eventTime;
    if (raw.kind === 'book' && raw.value.provider === 'betfair') {
      const rate = marketBaseRateIn(raw.value.payload);
      if (rate !== undefined) rateBySource.set(raw.value.sourceMarketId, rate);
    }
    const outputs = raw.kind === 'book' ? chain.books([raw.value]) : chain.results([raw.value]);
    for (const out of outputs) {
      if (out.type === 'market_book') {
        const { type: _type, ...value } = out;
        const rate = rateBySource.get(value.sourceMarketId);
        if (rate !== undefined) marketBaseRates.set(`${value.eventId}:${value.marketId}`, rate);
        events.push({ kind: 'book', value });
      } else if (out.type === 'pricing') {
        const { type: _type, ...value } = out;
        events.push({ kind: 'pricing', value });
      } else if (out.type === 'result') {
        const { type: _type, ...value } = out;
        events.push({ kind: 'result', value });
      } else deadLetters++;
    }
  }
  return { events, marketBaseRates, deadLetters };
}
