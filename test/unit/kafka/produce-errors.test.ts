import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { produceError } from '../../../src/core/kafka/produce-errors.js';

/** What kafkajs's retrier throws for a broker error it does not retry: the protocol error as cause. */
const refused = (type: string) => {
  const protocol = new KafkaJSProtocolError({
    message: `broker says ${type}`,
    type,
    code: 10,
    retriable: false,
  } as never);
  return Object.assign(new KafkaJSNonRetriableError(protocol), { cause: protocol });
};

describe('produceError', () => {
  it.each(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD'])(
    'calls %s a record rejection: never retried',
    (type) => {
      expect(produceError(refused(type), 'publish')).toMatchObject({
        code: 'KAFKA_RECORD_REJECTED',
        retriable: false,
      });
    },
  );

  it('holds on anything else: a broker that is away, or an authorization change', () => {
    expect(
      produceError(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED'), 'x'),
    ).toMatchObject({
      code: 'KAFKA_UNAVAILABLE',
      retriable: true,
    });
    expect(produceError(refused('TOPIC_AUTHORIZATION_FAILED'), 'x')).toMatchObject({
      code: 'KAFKA_UNAVAILABLE',
      retriable: true,
    });
  });
});
