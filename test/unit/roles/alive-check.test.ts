import { describe, expect, it } from 'vitest';
import { aliveCheck } from '../../../src/app/roles/context.js';

describe('aliveCheck', () => {
  it('passes until the role fails, then reports why', async () => {
    let fail!: (err: Error) => void;
    const check = aliveCheck(new Promise<Error>((resolve) => (fail = resolve)));
    await expect(check()).resolves.toBeUndefined();
    fail(new Error('MESSAGE_TOO_LARGE'));
    await new Promise((r) => setImmediate(r));
    await expect(check()).rejects.toThrow('stopped for good: MESSAGE_TOO_LARGE');
  });
});
