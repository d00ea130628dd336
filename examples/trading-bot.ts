/**
 * A minimal trading-bot consumer of odds.pricing: it reacts to best-price moves and arbitrage
 * flags, and commits an offset only after the records before it were handled, so a restart
 * neither skips nor (beyond the last uncommitted batch) repeats a signal.
 *
 *   npx tsx examples/trading-bot.ts            # uses the same env vars as oddsflow
 *   ODDSFLOW_TOPIC_PREFIX=demo. npx tsx examples/trading-bot.ts   # against `npm run demo`
 */
import { loadConfig } from '../src/config/load.js';
import { createKafka } from '../src/kafka/client.js';
import { topicNames } from '../src/kafka/topics.js';
import { createLogger } from '../src/logger.js';
import { AvroSerde } from '../src/serde/avro-serde.js';
import { SignalDetector } from './trading-bot-signals.js';

const config = loadConfig();
const logger = createLogger({ level: config.logLevel });
const names = topicNames(config.topics.prefix);
const serde = new AvroSerde(config.registry, names);
const consumer = createKafka(config.kafka, { logger, clientIdSuffix: 'trading-bot' }).consumer({
  groupId: `${config.topics.prefix}trading-bot`,
  // Processors write in transactions: read only what they committed.
  readUncommitted: false,
});
const detector = new SignalDetector();

await consumer.connect();
await consumer.subscribe({ topic: names.oddsPricing, fromBeginning: false });
await consumer.run({
  autoCommit: false,
  eachBatchAutoResolve: false,
  eachBatch: async (payload) => {
    for (const message of payload.batch.messages) {
      const pricing = await serde.decode('oddsPricing', message.value ?? Buffer.alloc(0));
      for (const signal of detector.update(pricing)) {
        if (signal.kind === 'arbitrage') {
          console.log(
            `ARBITRAGE ${signal.market}: books sum to ${(signal.bestBookSum * 100).toFixed(2)} % (${(signal.margin * 100).toFixed(2)} % edge)`,
          );
        } else if (signal.from !== null) {
          console.log(
            `${signal.market} ${signal.selectionId}: best ${signal.from} -> ${signal.to} at ${signal.bookmaker}`,
          );
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
