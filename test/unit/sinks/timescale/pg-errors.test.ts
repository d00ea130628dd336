import { DatabaseError } from 'pg';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../../src/core/errors.js';
import { isDataError, storeErrorFromPg } from '../../../../sinks/timescale/pg-errors.js';

function databaseError(code: string, message = 'server said no'): DatabaseError {
  const err = new DatabaseError(message, message.length, 'error');
  err.code = code;
  return err;
}

describe('storeErrorFromPg', () => {
  it.each([
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22008', 'timestamp out of range'],
    ['23505', 'duplicate key value violates unique constraint'],
  ])('calls SQLSTATE %s a data error: not retriable', (code, message) => {
    const cause = databaseError(code, message);
    const err = storeErrorFromPg(cause, 'timescale: write');
    expect(isDataError(cause)).toBe(true);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'DATABASE_QUERY_FAILED', retriable: false, cause });
    expect(err.message).toBe(`timescale: write: ${message}`);
  });

  it.each(['08006', '57P01', '53300'])('calls SQLSTATE %s an outage', (code) => {
    expect(storeErrorFromPg(databaseError(code), 'x')).toMatchObject({
      code: 'DATABASE_UNAVAILABLE',
      retriable: true,
    });
  });

  it('holds the batch on a schema problem rather than dead-lettering every record', () => {
    const err = storeErrorFromPg(databaseError('42P01', 'relation "odds_snapshots" does not exist'), 'x');
    expect(err).toMatchObject({ code: 'DATABASE_QUERY_FAILED', retriable: true });
  });

  it('calls a socket or pool error an outage and keeps it as the cause', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(storeErrorFromPg(refused, 'x')).toMatchObject({
      code: 'DATABASE_UNAVAILABLE',
      retriable: true,
      cause: refused,
    });
    expect(isDataError(refused)).toBe(false);
    expect(storeErrorFromPg('weird', 'x').message).toBe('x: weird');
  });
});
