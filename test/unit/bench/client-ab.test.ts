import { describe, expect, it } from 'vitest';
import { clientAbResultName } from '../../../bench/client-ab/client.js';
import { byPartition, transactionRetryDelay } from '../../../bench/client-ab/platformatic.js';
import { clientAbResults, sendsOf } from '../../../bench/scenarios/client-ab.js';
import { maxSendBytes } from '../../../src/core/kafka/encode.js';

describe('clientAbResultName', () => {
  it('names a result client_ab.<client>.<metric>', () => {
    expect(clientAbResultName('kafkajs', 'produce_msgs_per_s')).toBe('client_ab.kafkajs.produce_msgs_per_s');
    expect(clientAbResultName('platformatic', 'cpu_us_per_msg')).toBe(
      'client_ab.platformatic.cpu_us_per_msg',
    );
  });
});

describe('clientAbResults', () => {
  it("lists each client's medians, rates rounded to whole messages and CPU to a tenth", () => {
    const results = clientAbResults(
      new Map([
        [
          'kafkajs',
          [
            { produceMsgsPerS: 4_000.4, hopMsgsPerS: 6_000, cpuUsPerMsg: 80.04 },
            { produceMsgsPerS: 5_000.6, hopMsgsPerS: 7_000, cpuUsPerMsg: 70.02 },
          ],
        ],
        ['platformatic', [{ produceMsgsPerS: 17_000.5, hopMsgsPerS: 9_999.4, cpuUsPerMsg: 60.06 }]],
      ]),
    );
    expect(results).toEqual([
      { name: 'client_ab.kafkajs.produce_msgs_per_s', value: 4_501, unit: 'messages/s' },
      { name: 'client_ab.kafkajs.hop_msgs_per_s', value: 6_500, unit: 'messages/s' },
      { name: 'client_ab.kafkajs.cpu_us_per_msg', value: 75, unit: 'µs' },
      { name: 'client_ab.platformatic.produce_msgs_per_s', value: 17_001, unit: 'messages/s' },
      { name: 'client_ab.platformatic.hop_msgs_per_s', value: 9_999, unit: 'messages/s' },
      { name: 'client_ab.platformatic.cpu_us_per_msg', value: 60.1, unit: 'µs' },
    ]);
  });
});

describe('byPartition', () => {
  it('groups messages by partition, in order of first appearance, each group in order', () => {
    const messages = [
      { partition: 3, offset: 10 },
      { partition: 0, offset: 5 },
      { partition: 3, offset: 11 },
      { partition: 0, offset: 6 },
      { partition: 1, offset: 0 },
    ];
    expect(byPartition(messages)).toEqual([
      [messages[0], messages[2]],
      [messages[1], messages[3]],
      [messages[4]],
    ]);
    expect(byPartition([])).toEqual([]);
  });
});

describe('transactionRetryDelay', () => {
  it('waits 10 ms first, doubling up to 2 s, as kafkajs is set up for transactions', () => {
    expect([1, 2, 3, 8, 9, 30].map((attempt) => transactionRetryDelay(undefined, 'commit', attempt))).toEqual(
      [10, 20, 40, 1_280, 2_000, 2_000],
    );
  });
});

describe('sendsOf', () => {
  it('cycles through the sample as bytes, 1,000 messages a send at most, cut at 512 KiB', () => {
    const sample = [
      { key: 'betfair:1:1.1', value: Buffer.alloc(1_200, 1) },
      { key: Buffer.from('betfair:1:1.2'), value: Buffer.alloc(1_200, 2) },
      { key: 'betfair:2:1.3', value: Buffer.alloc(100, 3) },
    ];
    const sends = sendsOf(sample, 2_500);
    const all = sends.flat();
    expect(all).toHaveLength(2_500);
    expect(all[3]).toEqual({ key: Buffer.from('betfair:1:1.1'), value: sample[0]!.value });
    expect(all[2_499]?.key).toEqual(Buffer.from('betfair:1:1.1'));
    expect(all.every((m) => Buffer.isBuffer(m.key) && Buffer.isBuffer(m.value))).toBe(true);
    for (const send of sends) {
      expect(send.length).toBeLessThanOrEqual(1_000);
      expect(send.reduce((n, m) => n + m.key.length + m.value.length, 0)).toBeLessThanOrEqual(maxSendBytes);
    }
    // The 1,000-message chunks are cut by size, never joined across: 2,500 messages give more sends than 3.
    expect(sends.length).toBeGreaterThan(3);
    expect(sendsOf(sample, 0)).toEqual([]);
  });
});
