import { createHash } from 'node:crypto';
import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { deadLetter, deadLetterLimits } from '../../../src/core/dead-letter.js';
import { loadSchema } from '../../../src/core/serde/schemas.js';

const avro = avsc.Type.forSchema(loadSchema('DeadLetter'));

/** The broker's default message.max.bytes. */
const brokerLimit = 1_048_588;

describe('deadLetter', () => {
  it('keeps a small original whole, with its size and SHA-256', () => {
    const original = Buffer.from('{"not":"valid"}');
    const letter = deadLetter({
      stage: 'validate',
      errors: [{ path: '$.price', code: 'ODDS_OUT_OF_RANGE', message: 'too low' }],
      provider: null,
      source: { topic: 'odds.raw', partition: 0, offset: '7' },
      key: 'k',
      originalValue: original,
      failedAt: 1,
    });
    expect(letter).toMatchObject({
      reasonCode: 'ODDS_OUT_OF_RANGE',
      truncated: false,
      originalSize: original.length,
      originalSha256: createHash('sha256').update(original).digest('hex'),
    });
    expect(letter.originalValue.equals(original)).toBe(true);
  });

  it('cuts an oversized original (a 1 MiB frame with 50,000 errors) to a letter the broker accepts', () => {
    const frame = Buffer.alloc(1024 * 1024, 'x');
    const letter = deadLetter({
      stage: 'parse',
      errors: Array.from({ length: 50_000 }, (_, i) => ({
        path: `$.prices[${i}]`.padEnd(5_000, '.'),
        code: 'NOT_A_NUMBER',
        message: 'y'.repeat(10_000),
      })),
      provider: 'ws-json',
      source: null,
      key: Buffer.alloc(64 * 1024, 'k'),
      originalValue: frame,
      failedAt: 1,
    });
    expect(letter.truncated).toBe(true);
    expect(letter.originalSize).toBe(frame.length);
    expect(letter.originalSha256).toBe(createHash('sha256').update(frame).digest('hex'));
    expect(letter.originalValue.equals(frame.subarray(0, deadLetterLimits.valueBytes))).toBe(true);
    expect(letter.errors).toHaveLength(deadLetterLimits.errors + 1);
    expect(letter.errors.at(-1)).toMatchObject({
      code: 'ERRORS_TRUNCATED',
      message: '49900 more errors not kept',
    });
    const encoded = avro.toBuffer(letter);
    expect(encoded.length).toBeLessThan(brokerLimit / 2);
  });
});
