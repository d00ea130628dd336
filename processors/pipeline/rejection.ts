import { deadLetter, type DeadLetterStage } from '../../src/core/dead-letter.js';
import type { DeadLetterError } from '../../src/core/generated/avro-types.js';
import type { OutputRecord } from '../../src/core/kafka/records.js';
import type { StageInput } from '../runtime/stage.js';

/** The dead-letter output for an input a stage refused, keyed like the input. */
export function rejectionRecord(
  input: StageInput,
  stage: DeadLetterStage,
  errors: readonly DeadLetterError[],
  provider: string | null,
  failedAt: number,
): OutputRecord<'deadLetters'> {
  return {
    topic: 'deadLetters',
    key: input.key?.toString() ?? null,
    value: deadLetter({
      stage,
      errors,
      provider,
      source: input.source,
      key: input.key,
      originalValue: input.raw,
      failedAt,
    }),
  };
}

/** The provider of a raw record whose shape may be broken (it is being rejected). */
export function providerOf(value: unknown): string | null {
  const provider = (value as { provider?: unknown } | null)?.provider;
  return typeof provider === 'string' ? provider : null;
}
