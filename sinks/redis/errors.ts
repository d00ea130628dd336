import { StoreError } from '../../src/core/errors.js';

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
 * The one error reply a record causes: the key it maps to holds another type (someone else's
 * key, or a layout change). Repeating the write cannot fix it; the record is dead-lettered.
 */
const recordReplies = ['WRONGTYPE'];

/**
 * A transient error reply, or anything that is not a reply at all (refused, reset, closed
 * connection, too many reconnection attempts, our own timeout), is an outage. Every other error
 * reply — NOPERM after an ACL change, NOAUTH/WRONGPASS, MOVED/ASK from a cluster, an unknown
 * command on an older or restricted server, a script error — is the server or its configuration
 * refusing, whatever the record: retriable too, so the runner holds and alerts instead of
 * dead-lettering every record it is given.
 */
export function storeErrorFromRedis(err: unknown, context: string): StoreError {
  const message = `${context}: ${err instanceof Error ? err.message : String(err)}`;
  const isReply = err instanceof Error && err.name === 'ReplyError';
  if (!isReply || transientReplies.some((code) => err.message.startsWith(code))) {
    return new StoreError('REDIS_UNAVAILABLE', message, { cause: err });
  }
  if (recordReplies.some((code) => err.message.startsWith(code))) {
    return new StoreError('REDIS_COMMAND_FAILED', message, { cause: err });
  }
  return new StoreError('REDIS_REFUSED', message, { cause: err });
}
