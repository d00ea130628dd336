import { OddsflowError } from '../errors.js';

/**
 * Broker errors that refuse a record for what it is (its size, its format), whatever the
 * broker's state: sending it again can only be refused again. kafkajs marks them non-retriable
 * and wraps them (KafkaJSNonRetriableError) with the protocol error as the cause.
 * https://kafka.apache.org/protocol#protocol_error_codes
 */
const recordRejections = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TIMESTAMP',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
]);

/** The broker's error type (MESSAGE_TOO_LARGE…) found along the cause chain, if any. */
function protocolType(err: unknown): string | undefined {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 10; depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string') return type;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A produce failure for the loops that hold and retry: a record rejection becomes a
 * non-retriable KAFKA_RECORD_REJECTED (the caller dead-letters or gives up instead of retrying
 * for ever); everything else (a broker restart, a network cut, an authorization change) stays a
 * retriable KAFKA_UNAVAILABLE, held until the broker accepts it.
 */
export function produceError(err: unknown, what: string): OddsflowError {
  if (err instanceof OddsflowError) return err;
  const type = protocolType(err);
  const message = err instanceof Error ? err.message : String(err);
  if (type !== undefined && recordRejections.has(type)) {
    return new OddsflowError('KAFKA_RECORD_REJECTED', `${what}: the broker refused the record (${type})`, {
      cause: err,
    });
  }
  return new OddsflowError('KAFKA_UNAVAILABLE', `${what}: ${message}`, { cause: err });
}

/** Refuses, before anything is sent, a record larger than the configured maximum. */
export function tooLarge(topic: string, bytes: number, maxBytes: number): OddsflowError {
  return new OddsflowError(
    'KAFKA_RECORD_REJECTED',
    `a record of ${bytes} bytes for ${topic} is over ODDSFLOW_MAX_RECORD_BYTES (${maxBytes})`,
  );
}
