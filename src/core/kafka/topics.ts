/**
 * The topic contract (ARCHITECTURE §2) in one table: every command that creates, reads or
 * writes a topic takes its name, value schema and settings from here.
 */
export const topicTable = {
  oddsRaw: {
    name: 'odds.raw',
    valueSchema: 'RawMarketBook',
    key: 'provider:sourceEventId:sourceMarketId',
    retentionHours: 7 * 24,
    compacted: false,
  },
  resultsRaw: {
    name: 'results.raw',
    valueSchema: 'RawResult',
    key: 'provider:sourceEventId',
    retentionHours: 30 * 24,
    compacted: false,
  },
  oddsNormalized: {
    name: 'odds.normalized',
    valueSchema: 'MarketBook',
    key: 'eventId:marketId',
    retentionHours: 7 * 24,
    compacted: false,
  },
  oddsPricing: {
    name: 'odds.pricing',
    valueSchema: 'MarketPricing',
    key: 'eventId:marketId',
    retentionHours: 7 * 24,
    compacted: false,
  },
  // One record per market change with every selection in it (until 2026-12 one per selection:
  // 3.4 Kafka messages per raw record, the largest share of the pipeline's fan-out).
  featuresMarket: {
    name: 'features.market',
    valueSchema: 'MarketFeatures',
    key: 'eventId:marketId',
    retentionHours: 30 * 24,
    compacted: false,
  },
  // The enrich stage's memory of opening odds, restored after a restart or rebalance: only the
  // latest record per market matters, and compaction keeps exactly that.
  featuresOpening: {
    name: 'features.opening',
    valueSchema: 'MarketOpening',
    key: 'eventId:marketId',
    retentionHours: 30 * 24,
    compacted: true,
  },
  // The latest result per market and provider is what every reader wants, and a re-settlement
  // replaces it: compaction keeps the topic small without losing any market's current result.
  resultsNormalized: {
    name: 'results.normalized',
    valueSchema: 'Result',
    key: 'eventId:marketId:provider',
    retentionHours: 365 * 24,
    compacted: true,
  },
  deadLetters: {
    name: 'odds.dlq',
    valueSchema: 'DeadLetter',
    key: 'original key',
    retentionHours: 30 * 24,
    compacted: false,
  },
} as const;

export type TopicId = keyof typeof topicTable;
export type TopicSpec = (typeof topicTable)[TopicId];
export type ValueSchemaName = TopicSpec['valueSchema'];

export const topicIds = Object.keys(topicTable) as TopicId[];

/** Topic names with the deployment's prefix (tests use a random prefix per run). */
export type TopicNames = Record<TopicId, string>;

export function topicNames(prefix: string): TopicNames {
  return Object.fromEntries(topicIds.map((id) => [id, prefix + topicTable[id].name])) as TopicNames;
}

/** Broker-side settings of a topic, as createTopics wants them. */
export function topicConfigEntries(spec: TopicSpec): { name: string; value: string }[] {
  const retentionMs = String(spec.retentionHours * 3600 * 1000);
  return spec.compacted
    ? [
        { name: 'cleanup.policy', value: 'compact,delete' },
        { name: 'retention.ms', value: retentionMs },
        { name: 'min.compaction.lag.ms', value: String(3600 * 1000) },
      ]
    : [
        { name: 'cleanup.policy', value: 'delete' },
        { name: 'retention.ms', value: retentionMs },
      ];
}
