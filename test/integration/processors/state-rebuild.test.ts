import { describe, expect, it } from 'vitest';
import { createKafka } from '../../../src/core/kafka/client.js';
import { readTopicRange } from '../../../src/core/kafka/read-range.js';
import { AvroSerde } from '../../../src/core/serde/avro-serde.js';
import { selectionFeatures } from '../../../src/core/serde/market-features.js';
import { openRawPublisher } from '../../helpers/publish.js';
import { rawBooks } from '../../helpers/raw-books.js';
import { exited, spawnOddsflow } from '../../helpers/processes.js';
import { provisionTopics, silentLogger, testConfig, roleEnv } from '../../helpers/stack.js';

/**
 * One market, three bookmakers: after a restart, the first new book's pricing must still see all
 * three books across the market (state rebuilt from odds.normalized), not only itself.
 */
async function afterRestart(warmupMinutes: string): Promise<{ bookCount: number; opening: number[] }> {
  const config = testConfig();
  const names = await provisionTopics(config);
  const env = roleEnv(config, {
    ODDSFLOW_INSTANCE_ID: 'rebuild-test',
    ODDSFLOW_STATE_WARMUP_MINUTES: warmupMinutes,
  });
  const kafka = createKafka(config.kafka, { logger: silentLogger });
  const serde = new AvroSerde(config.registry, names);
  const publisher = await openRawPublisher(config, names, { serde });
  const books = rawBooks(7, { eventCount: 1 }); // bookmakers book0, book1, book2 in turn
  await publisher.publishBooks(books.slice(0, 6));

  const pricingCount = async () => (await readTopicRange(kafka, serde, names, 'oddsPricing', {})).length;
  const waitForPricing = async (n: number) => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await pricingCount()) < n) await new Promise((r) => setTimeout(r, 500));
  };
  const first = spawnOddsflow(['run', '--role', 'processors'], env);
  await waitForPricing(6);
  first.kill('SIGTERM');
  await exited(first);

  await publisher.publishBooks(books.slice(6));
  await publisher.close();
  const second = spawnOddsflow(['run', '--role', 'processors'], env);
  await waitForPricing(7);
  second.kill('SIGTERM');
  await exited(second);
  const pricing = (await readTopicRange(kafka, serde, names, 'oddsPricing', {}))
    .map((r) => r.value)
    .sort((a, b) => a.eventTime - b.eventTime);
  expect(pricing).toHaveLength(7);
  expect(pricing[5]!.crossBook.bookCount).toBe(3); // before the restart
  // The home selection's opening odds in every features record, in event time.
  const opening = (await readTopicRange(kafka, serde, names, 'featuresMarket', {}))
    .flatMap((r) => selectionFeatures(r.value))
    .filter((f) => f.selectionId.startsWith('home'))
    .sort((a, b) => a.eventTime - b.eventTime)
    .map((f) => f.openingOdds);
  return { bookCount: pricing[6]!.crossBook.bookCount, opening };
}

describe('processors: partition-local state after a restart', () => {
  it('is rebuilt from the recent input: cross-book state still counts every bookmaker', async () => {
    expect((await afterRestart('15')).bookCount).toBe(3);
  });

  it('(without the rebuild, the first book after a restart would see only itself)', async () => {
    expect((await afterRestart('0')).bookCount).toBe(1);
  });

  it('keeps the opening odds across a restart, even with no input replayed (restored from features.opening)', async () => {
    const { opening } = await afterRestart('0');
    expect(opening).toHaveLength(7);
    // The first book's best home price opened the market; the book after the restart still says so.
    expect(new Set(opening)).toEqual(new Set([opening[0]]));
  });
});
