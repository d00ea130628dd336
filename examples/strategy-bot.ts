/**
 * A strategy live: the same Strategy module `oddsflow backtest --strategy` replays, run on
 * odds.pricing (and odds.normalized, whose market status withdraws a suspended book's quotes),
 * printing the orders it would place at the fresh quotes (paper trading: no bet is sent).
 *
 *   npx tsx examples/strategy-bot.ts examples/strategies/value.ts edge=0.03 stake=5
 */
import { loadConfig } from '../src/app/config/load.js';
import { createKafka } from '../src/core/kafka/client.js';
import { topicNames } from '../src/core/kafka/topics.js';
import { createLogger } from '../src/core/logger.js';
import { AvroSerde } from '../src/core/serde/avro-serde.js';
import { loadStrategy, parseParams } from '../src/app/strategy/load.js';
import { MarketBoard } from '../src/app/strategy/market-board.js';

const [file, ...pairs] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: npx tsx examples/strategy-bot.ts STRATEGY_FILE [key=value …]\n');
  process.exit(2);
}
const strategy = await loadStrategy(file, parseParams(pairs));
const config = loadConfig();
const logger = createLogger({ level: config.logLevel });
const names = topicNames(config.topics.prefix);
const serde = new AvroSerde(config.registry, names);
const board = new MarketBoard();
const commission = (bookmaker: string) => (bookmaker === 'betfair' ? 0.05 : 0);
const consumer = createKafka(config.kafka, { logger, clientIdSuffix: 'strategy-bot' }).consumer({
  groupId: `${config.topics.prefix}strategy-bot`,
  readUncommitted: false,
});

await consumer.connect();
await consumer.subscribe({ topics: [names.oddsNormalized, names.oddsPricing], fromBeginning: false });
await consumer.run({
  eachMessage: async ({ topic, message }) => {
    if (topic === names.oddsNormalized) {
      board.applyBook(await serde.decode('oddsNormalized', message.value ?? Buffer.alloc(0)));
      return;
    }
    const pricing = await serde.decode('oddsPricing', message.value ?? Buffer.alloc(0));
    const view = board.applyPricing(pricing);
    for (const order of strategy.onPricing(pricing, view, { now: pricing.eventTime, commission })) {
      const refusal = board.refusal(
        pricing.eventId,
        pricing.marketId,
        order.bookmaker,
        order.side,
        order.selectionId,
        pricing.eventTime,
      );
      console.log(
        `${refusal ? `WOULD REFUSE (${refusal.reason})` : 'ORDER'} ${order.side} ${order.selectionId} @ ${order.odds} × ${order.stake} at ${order.bookmaker} · ${pricing.eventId} ${pricing.marketId}${order.reason ? ` · ${order.reason}` : ''}`,
      );
    }
  },
});

const stop = () => {
  void consumer.disconnect().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
