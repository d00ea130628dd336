import type { DeadLetter, DeadLetterError } from './generated/avro-types.js';
import type { SourcePosition } from './kafka/records.js';

export type DeadLetterStage = 'parse' | 'validate' | 'normalize' | 'enrich' | 'results' | 'sink';

export interface DeadLetterInput {
  stage: DeadLetterStage;
  errors: readonly DeadLetterError[];
  provider: string | null;
  source: SourcePosition | null;
  key: Buffer | string | null;
  originalValue: Buffer | string;
  failedAt: number;
}

/** The DeadLetter record: the first error's code is the reason, every error is kept. */
export function deadLetter(input: DeadLetterInput): DeadLetter {
  const first = input.errors[0];
  return {
    stage: input.stage,
    reasonCode: first?.code ?? 'UNKNOWN',
    errors:
      input.errors.length > 0
        ? [...input.errors]
        : [{ path: '', code: 'UNKNOWN', message: 'no reason given' }],
    provider: input.provider,
    sourceTopic: input.source?.topic ?? null,
    sourcePartition: input.source?.partition ?? null,
    sourceOffset: input.source?.offset ?? null,
    key: input.key === null ? null : Buffer.isBuffer(input.key) ? input.key : Buffer.from(input.key),
    originalValue: Buffer.isBuffer(input.originalValue)
      ? input.originalValue
      : Buffer.from(input.originalValue),
    failedAt: input.failedAt,
  };
}

/** The dead letter of a provider payload a connector could not read (no topic behind it yet). */
export function parseFailureLetter(
  failure: { provider: string; errors: readonly DeadLetterError[]; payload: Buffer | string },
  failedAt: number,
): DeadLetter {
  return deadLetter({
    stage: 'parse',
    errors: failure.errors,
    provider: failure.provider,
    source: null,
    key: null,
    originalValue: failure.payload,
    failedAt,
  });
}
