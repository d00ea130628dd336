import type { ParseFailure } from '../../connectors/contract.js';
import { parseFailureLetter } from '../../src/core/dead-letter.js';
import type {
  DeadLetter,
  MarketBook,
  MarketPricing,
  RawMarketBook,
  RawResult,
  Result,
} from '../../src/core/generated/avro-types.js';
import type { OutputRecord } from '../../src/core/kafka/records.js';
import { recordKeys } from '../../src/core/kafka/records.js';
import type { ProcessorStage, StageInput } from '../runtime/stage.js';

export type TransformOutput =
  | ({ type: 'market_book' } & MarketBook)
  | ({ type: 'pricing' } & MarketPricing)
  | ({ type: 'result' } & Result)
  | ({ type: 'dead_letter' } & DeadLetter);

/**
 * The processors' exact chain without Kafka (`oddsflow transform`): the same stage objects the
 * transactional loops run, fed in process. Only the transport differs: records go from one stage
 * to the next in memory, in order.
 */
export function createOfflineChain(
  prepare: ProcessorStage<'oddsRaw' | 'resultsRaw'>,
  enrich: ProcessorStage<'oddsNormalized'>,
  now: () => number,
) {
  const render = (record: OutputRecord): TransformOutput | undefined => {
    switch (record.topic) {
      case 'oddsNormalized':
        return { type: 'market_book', ...record.value };
      case 'oddsPricing':
        return { type: 'pricing', ...record.value };
      case 'resultsNormalized':
        return { type: 'result', ...record.value };
      case 'deadLetters':
        return { type: 'dead_letter', ...record.value };
      default:
        return undefined; // features.market: not part of transform's output
    }
  };

  const run = (inputs: StageInput<'oddsRaw' | 'resultsRaw'>[]): TransformOutput[] => {
    const out: TransformOutput[] = [];
    for (const input of inputs) {
      for (const record of prepare.process(input)) {
        const rendered = render(record);
        if (rendered) out.push(rendered);
        if (record.topic === 'oddsNormalized') {
          const next: StageInput<'oddsNormalized'> = {
            topic: 'oddsNormalized',
            value: record.value,
            key: record.key === null ? null : Buffer.from(record.key),
            raw: Buffer.from(JSON.stringify(record.value)),
            source: null,
          };
          for (const enriched of enrich.process(next)) {
            const r = render(enriched);
            if (r) out.push(r);
          }
        }
      }
    }
    return out;
  };

  return {
    books(books: readonly RawMarketBook[]): TransformOutput[] {
      return run(
        books.map((value) => ({
          topic: 'oddsRaw',
          value,
          key: Buffer.from(recordKeys.rawBook(value)),
          raw: Buffer.from(JSON.stringify(value)),
          source: null,
        })),
      );
    },
    results(results: readonly RawResult[]): TransformOutput[] {
      return run(
        results.map((value) => ({
          topic: 'resultsRaw',
          value,
          key: Buffer.from(recordKeys.rawResult(value)),
          raw: Buffer.from(JSON.stringify(value)),
          source: null,
        })),
      );
    },
    /** A payload the provider parser could not read: a parse-stage dead letter, as the connector writes it. */
    failure(failure: ParseFailure): TransformOutput {
      return { type: 'dead_letter', ...parseFailureLetter(failure, now()) };
    },
  };
}
