import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import avro from 'avsc';
import { readProviderInput, type OfflineProvider } from '../../connectors/offline-readers.js';
import { describeProblem } from '../../connectors/historical/problems.js';
import { OddsflowError } from '../../src/core/errors.js';
import { EventRegistry } from '../../processors/normalize/event-registry.js';
import { createNormalizeBookState, normalizeBook } from '../../processors/normalize/normalize-book.js';
import { createEnrichStage } from '../../processors/pipeline/enrich-stage.js';
import { createOfflineChain, type TransformOutput } from '../../processors/pipeline/offline-chain.js';
import { createPrepareStage } from '../../processors/pipeline/prepare-stage.js';
import { settingsSchema } from '../../src/app/config/settings.js';
import type { RawMarketBook } from '../../src/core/generated/avro-types.js';
import { toJsonLine } from '../../src/app/ops/json-lines.js';
import { pipelineOptions } from '../../src/app/roles/processors.js';
import { loadSchema } from '../../src/core/serde/schemas.js';
import { expectationOf } from './oracle.js';
import type { FuzzFormat } from './samples.js';

export type OutputType = TransformOutput['type'];
export const outputTypes: readonly OutputType[] = ['market_book', 'pricing', 'result', 'dead_letter'];

export type ProblemKind = 'exception' | 'invalid-output' | 'vanished';

export interface Problem {
  kind: ProblemKind;
  detail: string;
}

export interface InputOutcome {
  outputs: Record<OutputType, number>;
  deadLetters: Map<string, number>;
  /** Stages the dead letters came from (parse, validate, normalize, results). */
  deadLetterStages: Set<string>;
  problems: Problem[];
}

const providerOf: Record<FuzzFormat, OfflineProvider> = {
  odds: 'the-odds-api',
  scores: 'the-odds-api',
  betfair: 'betfair',
  'ws-json': 'ws-json',
};

const schemaOf = {
  market_book: 'MarketBook',
  pricing: 'MarketPricing',
  result: 'Result',
  dead_letter: 'DeadLetter',
} as const;

const types = Object.fromEntries(
  outputTypes.map((t) => [t, avro.Type.forSchema(loadSchema(schemaOf[t]))]),
) as Record<OutputType, avro.Type>;

/** A fixed clock: the chain's only clock stamps processedAt, receivedAt and failedAt. */
const NOW = Date.parse('2026-03-14T12:00:00Z');

/** The path of the first number that is NaN or ±Infinity, without recursion. */
function nonFinitePath(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '$']];
  while (stack.length > 0) {
    const [v, where] = stack.pop()!;
    if (typeof v === 'number' && !Number.isFinite(v)) return where;
    if (Buffer.isBuffer(v) || typeof v !== 'object' || v === null) continue;
    for (const [k, child] of Object.entries(v)) stack.push([child, `${where}.${k}`]);
  }
  return undefined;
}

/** Why an output is not a valid record of its declared type, or undefined when it is. */
export function invalidOutput(output: TransformOutput): string | undefined {
  const { type, ...value } = output as TransformOutput & Record<string, unknown>;
  const avroType = types[type];
  if (avroType === undefined) return `unknown output type ${String(type)}`;
  const paths: string[] = [];
  if (!avroType.isValid(value, { errorHook: (p: string[]) => paths.push(p.join('.')) }))
    return `${type} does not satisfy ${schemaOf[type]} at ${paths.join(', ') || '(root)'}`;
  const nonFinite = nonFinitePath(value);
  if (nonFinite !== undefined) return `${type} has a non-finite number at ${nonFinite}`;
  if (output.type === 'dead_letter') {
    if (output.reasonCode.trim() === '') return 'dead letter without a reasonCode';
    if (output.errors.length === 0) return 'dead letter without errors';
    if (output.errors.some((e) => e.code.trim() === '')) return 'dead letter error without a code';
  }
  return undefined;
}

const dedupeKey = (b: { eventId: string; marketId: string; bookmaker: string; side: string }) =>
  [b.eventId, b.marketId, b.bookmaker, b.side].join('\u0000');

/**
 * The offline chain exactly as `oddsflow transform` builds it (default settings, a fixed clock),
 * kept for a whole fuzz run like a processor's state, and a temp file the inputs are written to
 * so that they go through the same file readers.
 */
export async function createFuzzChain() {
  const settings = settingsSchema.parse({});
  const now = () => NOW;
  const pipeline = await pipelineOptions(settings, now);
  // Shared with the repeat check below: which event of a pair a book belongs to is the chain's memory.
  const events = new EventRegistry({ toleranceMs: pipeline.prepare.eventStartToleranceMs });
  const chain = createOfflineChain(
    createPrepareStage({ ...pipeline.prepare, events }),
    createEnrichStage(pipeline.enrich),
    now,
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'oddsflow-fuzz-'));
  // The latest content hash the chain emitted per dedupe key: a book that yields nothing must be
  // an unchanged repeat of it (the prepare stage's only silent outcome).
  const emitted = new Map<string, string>();

  const isRepeat = (book: RawMarketBook): boolean => {
    const fresh = normalizeBook(book, pipeline.prepare, createNormalizeBookState({}, events));
    return fresh.kind === 'book' && emitted.get(dedupeKey(fresh.book)) === fresh.book.contentHash;
  };

  async function feed(format: FuzzFormat, payload: Buffer): Promise<InputOutcome> {
    const outcome: InputOutcome = {
      outputs: { market_book: 0, pricing: 0, result: 0, dead_letter: 0 },
      deadLetters: new Map(),
      deadLetterStages: new Set(),
      problems: [],
    };
    const problem = (kind: ProblemKind, detail: string) => outcome.problems.push({ kind, detail });
    const file = path.join(dir, format === 'betfair' ? 'input.stream' : 'input.json');
    writeFileSync(file, payload);
    const take = (outputs: TransformOutput[]) => {
      for (const output of outputs) {
        outcome.outputs[output.type]++;
        if (output.type === 'dead_letter') {
          outcome.deadLetters.set(output.reasonCode, (outcome.deadLetters.get(output.reasonCode) ?? 0) + 1);
          outcome.deadLetterStages.add(output.stage);
        }
        if (output.type === 'market_book') emitted.set(dedupeKey(output), output.contentHash);
        const invalid = invalidOutput(output);
        if (invalid !== undefined) problem('invalid-output', invalid);
        toJsonLine(output);
      }
    };

    const yielded = new Set<number>();
    const failed = new Set<number>();
    try {
      const chunks = readProviderInput(providerOf[format], {
        file,
        receivedAt: NOW,
        oddsFormat: 'auto',
        mappingFile: undefined,
        // A file that cannot be read fails as it did before problems were reported; records out
        // of order are kept (and only reported), which is not a failure of the chain.
        report: (p) => {
          if (p.code !== 'OUT_OF_ORDER') throw new OddsflowError('INPUT_UNREADABLE', describeProblem(p));
        },
      });
      // The order of `transform`: a chunk's failures, then its books, then its results; one book
      // at a time so that each one's outputs can be told apart.
      for await (const chunk of chunks) {
        if (chunk.books.length + chunk.results.length + chunk.failures.length > 0)
          yielded.add(chunk.position);
        if (chunk.failures.length > 0) failed.add(chunk.position);
        for (const failure of chunk.failures) {
          const output = chain.failure(failure);
          if (output.type !== 'dead_letter')
            problem('invalid-output', `a parse failure became ${output.type}`);
          take([output]);
        }
        for (const book of chunk.books) {
          const outputs = chain.books([book]);
          if (outputs.length === 0 && !isRepeat(book))
            problem(
              'vanished',
              `position ${chunk.position}: a book yielded nothing and repeats no earlier one`,
            );
          take(outputs);
        }
        for (const result of chunk.results) {
          const outputs = chain.results([result]);
          if (outputs.length === 0)
            problem('vanished', `position ${chunk.position}: a result yielded nothing`);
          take(outputs);
        }
      }
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      problem(
        'exception',
        `${e.name}: ${e.message.slice(0, 200)}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}`,
      );
      return outcome;
    }

    const expected = expectationOf(format, payload.toString('utf8'));
    for (const position of expected.mustYield) {
      if (!yielded.has(position))
        problem(
          'vanished',
          `position ${position}: readable input yielded neither a record nor a dead letter`,
        );
    }
    for (const position of expected.mustFail) {
      if (!failed.has(position))
        problem('vanished', `position ${position}: malformed input yielded no dead letter`);
    }
    return outcome;
  }

  return {
    feed,
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type FuzzChain = Awaited<ReturnType<typeof createFuzzChain>>;
