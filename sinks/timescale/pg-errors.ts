import { DatabaseError, type Pool, type PoolClient } from 'pg';
import { StoreError } from '../../src/core/errors.js';

const sqlstateClass = (err: DatabaseError): string => (err.code ?? '').slice(0, 2);

/**
 * SQLSTATE classes that a record's content causes: data exceptions (22: a NUL byte, a time out
 * of range) and integrity violations (23). Repeating the write cannot fix them.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const dataErrorClasses = new Set(['22', '23']);

/** The server is there but cannot serve: 08 connection exception, 53 resources, 57 shutdown/cancel. */
const unavailableClasses = new Set(['08', '53', '57']);

/** Whether the error is about a record's data (as opposed to the database being unreachable or busy). */
export function isDataError(err: unknown): boolean {
  return err instanceof DatabaseError && dataErrorClasses.has(sqlstateClass(err));
}

/**
 * Only a data error is non-retriable. Errors without a SQLSTATE come from the socket or the pool
 * (refused, reset, "Connection terminated", connect timeout): an outage. Any other server error
 * (40 serialization/deadlock, 42 a missing table) is retriable too: holding the batch until an
 * operator fixes the schema loses nothing, while calling it a data error would dead-letter every
 * record.
 */
export function storeErrorFromPg(err: unknown, context: string): StoreError {
  const message = `${context}: ${err instanceof Error ? err.message : String(err)}`;
  if (!(err instanceof DatabaseError) || unavailableClasses.has(sqlstateClass(err))) {
    return new StoreError('DATABASE_UNAVAILABLE', message, { cause: err });
  }
  return new StoreError('DATABASE_QUERY_FAILED', message, { cause: err, retriable: !isDataError(err) });
}

export interface CheckedOut {
  client: PoolClient;
  /** Returns the client to the pool; with an error, the pool closes it instead. */
  release: (err?: Error) => void;
}

/**
 * pg-pool listens for errors only on idle clients: a socket dying while we hold one would be an
 * uncaught 'error' event, taking the process down. The query in flight rejects with the same
 * error, which is where we handle it, so the event itself is only absorbed.
 */
export async function checkout(pool: Pool, context: string): Promise<CheckedOut> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw storeErrorFromPg(err, context);
  }
  const absorb = (): void => undefined;
  client.on('error', absorb);
  return {
    client,
    release: (err) => {
      client.removeListener('error', absorb);
      client.release(err);
    },
  };
}
