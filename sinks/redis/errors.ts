import { StoreError } from '../../src/errors.js';

/**
 * Error replies that mean "not now" rather than "never": a loading or busy server, a failover
 * in progress, a full memory or a failing disk (https://redis.io/docs/latest/develop/reference/protocol-spec/#simple-errors).
 */
const transientReplies = [
  'LOADING',
  'BUSY',
  'TRYAGAIN',
  'CLUSTERDOWN',
  'READONLY',
  'MASTERDOWN',
  'MISCONF',
  'OOM',
  'NOREPLICAS',
];

export const isNoScript = (err: unknown): boolean =>
  err instanceof Error && err.message.startsWith('NOSCRIPT');

/**
 * An error reply other than a transient one (WRONGTYPE: the key holds something else, a script
 * error) cannot be fixed by retrying; anything that is not a reply at all (refused, reset,
 * closed connection, too many reconnection attempts, our own timeout) is an outage.
 */
export function storeErrorFromRedis(err: unknown, context: string): StoreError {
  const message = `${context}: ${err instanceof Error ? err.message : String(err)}`;
  const isReply = err instanceof Error && err.name === 'ReplyError';
  if (isReply && !transientReplies.some((code) => err.message.startsWith(code))) {
    return new StoreError('REDIS_COMMAND_FAILED', message, { cause: err });
  }
  return new StoreError('REDIS_UNAVAILABLE', message, { cause: err });
}
