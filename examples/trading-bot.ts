/**
 * A minimal trading bot: reads odds.normalized (book status) and odds.pricing (cross-book state),
 * decides with the pure TradingBot of trading-bot-signals.ts, and prints the orders it would
 * place — named by the provider's own ids (event, market, selection, handicap) — and when it would
 * hold a suspended book. It commits an offset only after the records before it were handled, so a
 * restart neither skips nor (beyond the last uncommitted batch) repeats a decision.
 *
 *   npx tsx examples/trading-bot.ts            # uses the same env vars as oddsflow
 *   ODDSFLOW_TOPIC_PREFIX=demo. npx tsx examples/trading-bot.ts   # against `npm run demo`
 *
 * The two topics are read by one consumer, partition by partition: a book's status and the
 * pricing records of its market share the key eventId:marketId, so they arrive in order within a
 * topic, though not across the two. The bot checks each leg's own status and age, so a status that
 * arrives a little late only delays a hold.
 */
import { loadConfig } from '../src/app/config/load.js';
import { createKafka } from '../src/core/kafka/client.js';
import { topicNames } from '../src/core/kafka/topics.js';
import { createLogger } from '../src/core/logger.js';
import { AvroSerde } from '../src/core/serde/avro-serde.js';
import { TradingBot, type BotRecord, type Decision } from './trading-bot-signals.js';

const config = loadConfig();
const logger = createLogger({ level: config.logLevel });
const names = topicNames(config.topics.prefix);
const serde = new AvroSerde(config.registry, names);
const consumer = createKafka(config.kafka, { logger, clientIdSuffix: 'trading-bot' }).consumer({
  groupId: `${config.topics.prefix}trading-bot`,
  // Processors write in transactions: read only what they committed.
  readUncommitted: false,
});
const bot = new TradingBot({ bankroll: 100 });

function show(decision: Decision): string {
  switch (decision.kind) {
    case 'bet':
      return [
        `BET ${decision.arbitrage} ${decision.market}: ${(decision.profit * 100).toFixed(2)} % locked`,
        ...decision.orders.map(
          (o) =>
            `  ${o.side} ${o.stake.toFixed(2)} at ${o.odds} on ${o.bookmaker} (${o.provider} event ${o.sourceEventId} market ${o.sourceMarketId} selection ${o.sourceSelectionId}${o.handicap ? ` handicap ${o.handicap}` : ''})`,
        ),
      ].join('\n');
    case 'hold':
      return `HOLD ${decision.market} ${decision.bookmaker} ${decision.side}: ${decision.status}, cancel what is unmatched there`;
    case 'resume':
      return `RESUME ${decision.market} ${decision.bookmaker} ${decision.side}`;
  }
}

async function decode(topic: string, value: Buffer): Promise<BotRecord> {
  return topic === names.oddsNormalized
    ? { topic: 'odds.normalized', value: await serde.decode('oddsNormalized', value) }
    : { topic: 'odds.pricing', value: await serde.decode('oddsPricing', value) };
}

await consumer.connect();
await consumer.subscribe({ topics: [names.oddsNormalized, names.oddsPricing], fromBeginning: false });
await consumer.run({
  autoCommit: false,
  eachBatchAutoResolve: false,
  eachBatch: async (payload) => {
    for (const message of payload.batch.messages) {
      if (message.value !== null) {
        for (const decision of bot.update(await decode(payload.batch.topic, message.value))) {
          console.log(show(decision));
        }
      }
      payload.resolveOffset(message.offset);
    }
    const last = payload.batch.messages.at(-1);
    if (last) {
      await consumer.commitOffsets([
        {
          topic: payload.batch.topic,
          partition: payload.batch.partition,
          offset: (BigInt(last.offset) + 1n).toString(),
        },
      ]);
    }
    await payload.heartbeat();
  },
});

const stop = () => {
  void consumer.disconnect().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
