import { describe, expect, it, onTestFinished } from 'vitest';
import { waitFor } from '../../helpers/wait.js';
import { betfairConnector, createBetfairConnector } from '../../../connectors/betfair/index.js';
import { startBetfairSimulator } from '../../../connectors/betfair/simulator.js';
import { wsJsonConnector } from '../../../connectors/ws-json/index.js';
import { simulatorFieldMapping, startWsSimulator } from '../../../connectors/ws-json/simulator.js';
import { createEnrichStage } from '../../../processors/pipeline/enrich-stage.js';
import { createOfflineChain, type TransformOutput } from '../../../processors/pipeline/offline-chain.js';
import { createPrepareStage } from '../../../processors/pipeline/prepare-stage.js';
import { settingsSchema } from '../../../src/app/config/settings.js';
import type { MarketBook, MarketPricing, RawMarketBook } from '../../../src/core/generated/avro-types.js';
import { pipelineOptions } from '../../../src/app/roles/processors.js';
import { raceCardFrom } from '../../../src/core/sim/race-card.js';
import { testDeps } from './betfair/helpers.js';
import { CollectingPublisher } from '../../helpers/connector-deps.js';
import { capturedLogger } from '../../helpers/logs.js';
import { connectorDeps } from './ws-json/helpers.js';

/** Both simulators on one race card, each read by its own connector, as the demo runs them. */
async function simulatedRaces(options: { catalogue: boolean }) {
  const raceCard = raceCardFrom(Date.now(), 5);
  const ws = await startWsSimulator({ seed: 5, messagesPerSecond: 100, raceCard });
  onTestFinished(() => ws.stop());
  // A publish time per change (changes of one millisecond would look like a crossed book) that
  // keeps to the clock: t0 + 10 ms a change ran ahead of it on a loaded machine, the bookmakers'
  // quotes then looked stale beside the exchange's and the two never met in pricing.
  let published = 0;
  const betfair = await startBetfairSimulator({
    seed: 5,
    tls: 'off',
    markets: 6,
    raceCard,
    publishTime: () => (published = Math.max(Date.now(), published + 1)),
  });
  onTestFinished(() => betfair.stop());

  const exchange = await testDeps();
  const config = betfairConnector.configSchema.parse({
    ...betfair.connectorConfig(),
    catalogue: { enabled: options.catalogue },
  });
  const betfairConnection = createBetfairConnector(config, exchange.deps);
  onTestFinished(() => betfairConnection.stop());
  await betfairConnection.start();

  const bookmakers = new CollectingPublisher();
  const wsConnection = wsJsonConnector.create(
    wsJsonConnector.configSchema.parse({
      url: ws.url,
      subscribe: [{ op: 'subscribe', sports: ['horse_racing'] }],
      mapping: simulatorFieldMapping,
    }),
    connectorDeps(bookmakers, capturedLogger().logger),
  );
  onTestFinished(() => wsConnection.stop());
  await wsConnection.start();

  await waitFor(() => {
    expect(exchange.publisher.books.length).toBeGreaterThanOrEqual(12);
    expect(bookmakers.books.length).toBeGreaterThanOrEqual(8);
  });
  // Exchange prices move after the bookmakers have quoted: both orders of arrival are seen.
  const before = exchange.publisher.books.length;
  betfair.tick(30);
  await waitFor(() => expect(exchange.publisher.books.length).toBeGreaterThan(before + 20));
  return { exchange: exchange.publisher.books, bookmakers: bookmakers.books };
}

/** The processors' chain, offline, over both feeds' books in the order the providers stamped them. */
async function normalise(books: RawMarketBook[]): Promise<TransformOutput[]> {
  const now = () => Date.now();
  const pipeline = await pipelineOptions(settingsSchema.parse({}), now);
  const chain = createOfflineChain(
    createPrepareStage(pipeline.prepare),
    createEnrichStage(pipeline.enrich),
    now,
  );
  return chain.books([...books].sort((a, b) => a.eventTime - b.eventTime));
}

const marketBooks = (out: TransformOutput[]) =>
  out.filter((o): o is Extract<TransformOutput, { type: 'market_book' }> => o.type === 'market_book');

const selectionIds = (book: MarketBook) => book.selections.map((s) => s.selectionId).sort();

describe('an exchange book and a bookmaker book of one simulated race', () => {
  it('get the same canonical event, market and selection ids, and meet in cross-book pricing', async () => {
    const { exchange, bookmakers } = await simulatedRaces({ catalogue: true });
    // The stream's definitions carry no names; the catalogue named every runner.
    expect(exchange.every((b) => b.selections.every((s) => s.name !== null))).toBe(true);
    expect(
      exchange.some((b) => b.eventName?.match(/^(Ascot|Leopardstown|Kempton|Flemington \(AUS\)) \d+/)),
    ).toBe(true);

    const out = await normalise([...exchange, ...bookmakers]);
    expect(out.filter((o) => o.type === 'dead_letter')).toEqual([]);
    const books = marketBooks(out);
    const winBooks = books.filter((b) => b.marketId === 'WIN' && b.sport === 'horse-racing');
    const exchangeWin = winBooks.filter((b) => b.provider === 'betfair');
    const bookmakerWin = winBooks.filter((b) => b.provider === 'ws-json');
    const joined = exchangeWin.filter((e) => bookmakerWin.some((b) => b.eventId === e.eventId));
    expect(joined.length).toBeGreaterThan(0);
    for (const e of joined) {
      const b = bookmakerWin.find((x) => x.eventId === e.eventId)!;
      expect(e.eventId).toMatch(/^horse-racing\/\d{4}-\d{2}-\d{2}\/[a-z-]+\/\d{4}$/);
      expect(selectionIds(e)).toEqual(selectionIds(b));
      expect(selectionIds(e).some((id) => id.startsWith('betfair-'))).toBe(false);
    }

    // The enrich stage sees both books of a joined market: the best back price may come from either.
    const joinedIds = new Set(joined.map((e) => e.eventId));
    const pricing = out.filter(
      (o): o is { type: 'pricing' } & MarketPricing =>
        o.type === 'pricing' && o.side === 'back' && o.marketId === 'WIN' && joinedIds.has(o.eventId),
    );
    const providersSeen = new Set(pricing.filter((p) => p.crossBook.bookCount >= 2).map((p) => p.provider));
    expect(providersSeen).toEqual(new Set(['betfair', 'ws-json']));
  });

  it('stay apart without the catalogue: the stream alone names no runner', async () => {
    const { exchange, bookmakers } = await simulatedRaces({ catalogue: false });
    expect(exchange.every((b) => b.selections.every((s) => s.name === null))).toBe(true);
    const books = marketBooks(await normalise([...exchange, ...bookmakers]));
    const exchangeWin = books.filter((b) => b.provider === 'betfair' && b.marketId === 'WIN');
    expect(exchangeWin.length).toBeGreaterThan(0);
    expect(exchangeWin.every((b) => b.selections.every((s) => s.selectionId.startsWith('betfair-')))).toBe(
      true,
    );
  });
});
