import { describe, expect, it } from 'vitest';
import { isNoScript, storeErrorFromRedis } from '../../../../sinks/redis/errors.js';

/** ioredis hands server error replies over as errors named ReplyError. */
function reply(message: string): Error {
  return Object.assign(new Error(message), { name: 'ReplyError' });
}

describe('storeErrorFromRedis', () => {
  it("calls a wrong-type key a command failure: the record's fault, not retriable", () => {
    const cause = reply('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(storeErrorFromRedis(cause, 'redis: write')).toMatchObject({
      code: 'REDIS_COMMAND_FAILED',
      retriable: false,
      cause,
      message: 'redis: write: WRONGTYPE Operation against a key holding the wrong kind of value',
    });
  });

  it.each([
    'LOADING Redis is loading the dataset in memory',
    'READONLY You cannot write against a read only replica.',
    'OOM command not allowed',
  ])('calls "%s" an outage', (message) => {
    expect(storeErrorFromRedis(reply(message), 'x')).toMatchObject({
      code: 'REDIS_UNAVAILABLE',
      retriable: true,
    });
  });

  it.each([
    "NOPERM User oddsflow has no permissions to run the 'evalsha' command",
    'NOAUTH Authentication required.',
    'WRONGPASS invalid username-password pair or user is disabled.',
    'MOVED 3999 127.0.0.1:6381',
    'ASK 3999 127.0.0.1:6381',
    "ERR unknown command 'EVALSHA', with args beginning with: ",
    'ERR user_script:1: Script attempted to access nonexistent global variable',
  ])(
    'calls "%s" the server refusing: retriable, so the runner holds instead of dead-lettering',
    (message) => {
      expect(storeErrorFromRedis(reply(message), 'x')).toMatchObject({
        code: 'REDIS_REFUSED',
        retriable: true,
      });
    },
  );

  it('calls connection errors an outage', () => {
    const closed = new Error('Connection is closed.');
    expect(storeErrorFromRedis(closed, 'x')).toMatchObject({
      code: 'REDIS_UNAVAILABLE',
      retriable: true,
      cause: closed,
    });
  });

  it('recognises a missing script', () => {
    expect(isNoScript(reply('NOSCRIPT No matching script. Please use EVAL.'))).toBe(true);
    expect(isNoScript(reply('ERR unknown command'))).toBe(false);
  });
});
