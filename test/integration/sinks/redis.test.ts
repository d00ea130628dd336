import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/core/errors.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { redisSink } from '../../../sinks/redis/index.js';
import { freePort } from '../../helpers/ports.js';
import { randomId, silentLogger, testStack } from '../../helpers/stack.js';
import { book, pricing, record } from '../../helpers/records.js';
import { selectionExtras } from '../../helpers/record-defaults.js';

const redis = new Redis(testStack().redisUrl);
const prefix = `${randomId('sinks')}:`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const hour = 3_600_000;

function sink(client: Redis = redis, writeTimeoutMs = 5_000) {
  const metrics = createMetrics();
  const config = redisSink.configSchema.parse({ keyPrefix: prefix, writeTimeoutMs });
  return {
    metrics,
    sink: redisSink.create(config, { redis: client, logger: silentLogger, metrics, clock: Date }),
  };
}

/** A market starting in an hour, priced now: its keys live well past the test. */
function live(eventId: string, eventTime = Date.now()) {
  return { eventId, startTime: Date.now() + hour, eventTime };
}

const oddsOf = async (key: string, field: string): Promise<unknown> =>
  JSON.parse((await redis.hget(key, field)) ?? 'null') as unknown;

describe('redis sink', () => {
  it('writes the latest book, pricing and best prices of a market with its expiry, in one batch', async () => {
    const { sink: s, metrics } = sink();
    await s.start();
    const times = live('ev-layout');
    await s.writeBatch([record('oddsNormalized', book(times)), record('oddsPricing', pricing(times))]);

    const odds = await redis.hgetall(`${prefix}odds:ev-layout:WIN`);
    expect(Object.keys(odds).sort()).toEqual([
      'betfair|sel-a|back',
      'betfair|sel-b|back',
      'betfair|sel-c|back',
    ]);
    expect(JSON.parse(odds['betfair|sel-a|back']!)).toMatchObject({
      t: times.eventTime,
      odds: 2.5,
      size: 120,
    });
    expect(await oddsOf(`${prefix}pricing:ev-layout:WIN`, 'betfair|back')).toMatchObject({
      method: 'shin',
      overround: 0.05,
    });
    expect(await oddsOf(`${prefix}best:ev-layout:WIN`, 'back|sel-a')).toMatchObject({
      bestOdds: 2.6,
      bestBookmaker: 'pinnacle',
    });

    // Expiry: the start plus 12 hours (the default), on every key of the market.
    for (const kind of ['odds', 'market', 'pricing', 'best']) {
      expect(Number(await redis.call('PEXPIRETIME', `${prefix}${kind}:ev-layout:WIN`))).toBe(
        times.startTime + 12 * hour,
      );
    }
    const observed = (await metrics.endToEndSeconds.get()).values;
    expect(observed.find((v) => v.metricName?.endsWith('_count') && v.labels.store === 'redis')?.value).toBe(
      2,
    );
  });

  it('says a market is suspended in its status hash and in every price, newer wins, and clears a withdrawn best price', async () => {
    const { sink: s } = sink();
    await s.start();
    const now = Date.now();
    const open = book({ ...live('ev-status', now), settled: false });
    const suspended = book({ ...live('ev-status', now + 1_000), status: 'SUSPENDED' });
    await s.writeBatch([record('oddsNormalized', open), record('oddsNormalized', suspended)]);
    // a late OPEN record of before the suspension changes nothing
    await s.writeBatch([record('oddsNormalized', book({ ...live('ev-status', now + 500) }))]);
    expect(await oddsOf(`${prefix}market:ev-status:WIN`, 'betfair|back')).toMatchObject({
      t: now + 1_000,
      status: 'SUSPENDED',
      inPlay: false,
      settled: false,
      sourceEventId: '31873357',
      sourceMarketId: '1.205822330',
    });
    expect(await oddsOf(`${prefix}odds:ev-status:WIN`, 'betfair|sel-a|back')).toMatchObject({
      marketStatus: 'SUSPENDED',
      odds: 2.5,
    });

    // The pricing of the suspended book: the cross-book state no longer quotes sel-b.
    const p = pricing({ ...live('ev-status', now + 1_000), status: 'SUSPENDED' });
    await s.writeBatch([
      record('oddsPricing', {
        ...p,
        crossBook: {
          ...p.crossBook,
          selections: p.crossBook.selections.filter((b) => b.selectionId === 'sel-a'),
        },
      }),
    ]);
    expect(await oddsOf(`${prefix}best:ev-status:WIN`, 'back|sel-b')).toMatchObject({
      t: now + 1_000,
      bestOdds: null,
      bestBookmaker: null,
    });
    expect(await oddsOf(`${prefix}pricing:ev-status:WIN`, 'betfair|back')).toMatchObject({
      status: 'SUSPENDED',
    });
    const closed = book({ ...live('ev-status', now + 2_000), status: 'CLOSED', settled: true });
    await s.writeBatch([record('oddsNormalized', closed)]);
    expect(await oddsOf(`${prefix}market:ev-status:WIN`, 'betfair|back')).toMatchObject({
      status: 'CLOSED',
      settled: true,
    });
  });

  it('never lets an older record overwrite a newer one, across batches and within one', async () => {
    const { sink: s } = sink();
    await s.start();
    const now = Date.now();
    const newer = record(
      'oddsNormalized',
      book({
        ...live('ev-order', now),
        selections: [
          {
            selectionId: 'a',
            name: null,
            decimalOdds: 3,
            point: null,
            size: null,
            status: 'ACTIVE',
            ...selectionExtras(),
          },
        ],
      }),
    );
    const older = record(
      'oddsNormalized',
      book({
        ...live('ev-order', now - 1_000),
        selections: [
          {
            selectionId: 'a',
            name: null,
            decimalOdds: 9,
            point: null,
            size: null,
            status: 'ACTIVE',
            ...selectionExtras(),
          },
        ],
      }),
    );
    const key = `${prefix}odds:ev-order:WIN`;

    await s.writeBatch([newer]);
    await s.writeBatch([older]);
    expect(await oddsOf(key, 'betfair|a|back')).toMatchObject({ t: now, odds: 3 });

    await redis.del(key);
    await s.writeBatch([newer, older]);
    expect(await oddsOf(key, 'betfair|a|back')).toMatchObject({ t: now, odds: 3 });

    // A replay of the same record changes nothing, and the expiry only ever grows.
    const expiry = Number(await redis.call('PEXPIRETIME', key));
    await s.writeBatch([
      record('oddsNormalized', book({ ...live('ev-order', now - 5_000), startTime: now })),
    ]);
    expect(Number(await redis.call('PEXPIRETIME', key))).toBe(expiry);
    expect(await oddsOf(key, 'betfair|a|back')).toMatchObject({ t: now, odds: 3 });
  });

  it('breaks a tie of equal times by offset: a replay cannot undo a later correction', async () => {
    const { sink: s } = sink();
    await s.start();
    const now = Date.now();
    const priced = (odds: number, offset: string, eventTime = now) => ({
      ...record(
        'oddsNormalized',
        book({
          ...live('ev-tie', eventTime),
          selections: [
            {
              selectionId: 'a',
              name: null,
              decimalOdds: odds,
              point: null,
              size: null,
              status: 'ACTIVE',
              ...selectionExtras(),
            },
          ],
        }),
      ),
      offset,
    });
    const key = `${prefix}odds:ev-tie:WIN`;
    await s.writeBatch([priced(3, '100')]);
    // The provider corrected the price without moving its timestamp.
    await s.writeBatch([priced(4, '101')]);
    expect(await oddsOf(key, 'betfair|a|back')).toMatchObject({ t: now, o: 101, odds: 4 });
    // A replay of the topic (a reset group, `oddsflow replay`) brings the first one back.
    await s.writeBatch([priced(3, '100')]);
    expect(await oddsOf(key, 'betfair|a|back')).toMatchObject({ t: now, o: 101, odds: 4 });
    // The same record again is harmless; a later time still wins whatever its offset.
    await s.writeBatch([priced(4, '101')]);
    await s.writeBatch([
      { ...priced(5, '7'), value: { ...priced(5, '7').value, eventTime: now + 1 } } as never,
    ]);
    expect(await oddsOf(key, 'betfair|a|back')).toMatchObject({ t: now + 1, o: 7, odds: 5 });
  });

  it('lets a replay of a long-finished event expire at once instead of bringing it back', async () => {
    const { sink: s } = sink();
    await s.start();
    const twoDaysAgo = Date.now() - 48 * hour;
    await s.writeBatch([
      record('oddsNormalized', book({ eventId: 'ev-old', startTime: twoDaysAgo, eventTime: twoDaysAgo })),
    ]);
    expect(await redis.exists(`${prefix}odds:ev-old:WIN`)).toBe(0);
  });

  it('fails with a retriable StoreError when Redis does not answer', async () => {
    const port = await freePort();
    // A client that gives up at once, and one with ioredis' defaults (queueing while it retries).
    const failFast = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const patient = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
    for (const client of [failFast, patient]) client.on('error', () => undefined);
    try {
      for (const client of [failFast, patient]) {
        const { sink: s } = sink(client, 500);
        const err: unknown = await s
          .writeBatch([record('oddsNormalized', book(live('ev-down')))])
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreError);
        expect(err).toMatchObject({ code: 'REDIS_UNAVAILABLE', retriable: true });
        const started: unknown = await s.start().catch((e: unknown) => e);
        expect(started).toMatchObject({ code: 'REDIS_UNAVAILABLE', retriable: true });
      }
    } finally {
      failFast.disconnect();
      patient.disconnect();
    }
  });

  it('refuses a key that holds another type, without retrying', async () => {
    const { sink: s } = sink();
    await s.start();
    await redis.set(`${prefix}odds:ev-string:WIN`, 'not a hash');
    const err: unknown = await s
      .writeBatch([record('oddsNormalized', book(live('ev-string')))])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'REDIS_COMMAND_FAILED', retriable: false });
    expect((err as Error).message).toContain('WRONGTYPE');
  });
});
