import { createHash } from 'node:crypto';
import type { DeadLetter, DeadLetterError } from './generated/avro-types.js';
import type { OutputRecord, SourcePosition } from './kafka/records.js';

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

/**
 * How much of a refused record a dead letter keeps. The broker refuses a record over its
 * `message.max.bytes` (1 MiB by default) and a letter that cannot be written would wedge the
 * loop that writes it, so a letter stays far below: the head of an oversized original, with its
 * size and SHA-256 to find the whole at its source, and at most so many errors of bounded length
 * (a frame of 10,000 bad prices yields 10,000 errors).
 */
export const deadLetterLimits = {
  valueBytes: 256 * 1024,
  keyBytes: 4 * 1024,
  errors: 100,
  errorChars: 1_000,
};

const cut = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;

function boundErrors(errors: readonly DeadLetterError[]): DeadLetterError[] {
  if (errors.length === 0) return [{ path: '', code: 'UNKNOWN', message: 'no reason given' }];
  const kept = errors.slice(0, deadLetterLimits.errors).map((e) => ({
    path: cut(e.path, deadLetterLimits.errorChars),
    code: cut(e.code, 100),
    message: cut(e.message, deadLetterLimits.errorChars),
  }));
  if (errors.length > kept.length) {
    kept.push({
      path: '',
      code: 'ERRORS_TRUNCATED',
      message: `${errors.length - kept.length} more errors not kept`,
    });
  }
  return kept;
}

const bytesOf = (value: Buffer | string): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(value));

/** The DeadLetter record: the first error's code is the reason, errors and bytes bounded as above. */
export function deadLetter(input: DeadLetterInput): DeadLetter {
  const original = bytesOf(input.originalValue);
  const key = input.key === null ? null : bytesOf(input.key);
  const truncated =
    original.length > deadLetterLimits.valueBytes || (key?.length ?? 0) > deadLetterLimits.keyBytes;
  return {
    stage: input.stage,
    reasonCode: input.errors[0]?.code ?? 'UNKNOWN',
    errors: boundErrors(input.errors),
    provider: input.provider,
    sourceTopic: input.source?.topic ?? null,
    sourcePartition: input.source?.partition ?? null,
    sourceOffset: input.source?.offset ?? null,
    key: key === null ? null : key.subarray(0, deadLetterLimits.keyBytes),
    originalValue: original.subarray(0, deadLetterLimits.valueBytes),
    failedAt: input.failedAt,
    truncated,
    originalSize: original.length,
    originalSha256: createHash('sha256').update(original).digest('hex'),
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

/**
 * The dead-letter record of a message a consumer loop refused, keyed as the message, with one
 * error and the message's bytes.
 */
export function consumedLetter(
  stage: DeadLetterStage,
  source: SourcePosition,
  message: { key: Buffer | null; value: Buffer | null },
  error: { code: string; message: string },
  failedAt: number,
): OutputRecord {
  return {
    topic: 'deadLetters',
    key: message.key?.toString() ?? null,
    value: deadLetter({
      stage,
      errors: [{ path: '', ...error }],
      provider: null,
      source,
      key: message.key,
      originalValue: message.value ?? Buffer.alloc(0),
      failedAt,
    }),
  };
}
