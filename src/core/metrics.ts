import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus metric of the project, created once per process on one registry and passed
 * to components in `deps` (never a global), so tests can read exactly what a component counted.
 */
export function createMetrics(registry: Registry = new Registry()) {
  // Provider freshness is an age, computed when scraped from the time of each provider's last record.
  const lastRecordAt = new Map<string, { provider: string; sport: string; at: number }>();
  return {
    registry,
    connectorMessages: new Counter({
      name: 'oddsflow_connector_messages_total',
      help: 'Provider messages or responses received, by provider and outcome (ok, malformed, heartbeat).',
      labelNames: ['provider', 'outcome'] as const,
      registers: [registry],
    }),
    connectorRecords: new Counter({
      name: 'oddsflow_connector_records_total',
      help: 'Raw records published, by provider and kind (book, result).',
      labelNames: ['provider', 'kind'] as const,
      registers: [registry],
    }),
    providerRequests: new Counter({
      name: 'oddsflow_provider_requests_total',
      help: 'Provider requests, by provider and HTTP status (or error code).',
      labelNames: ['provider', 'status'] as const,
      registers: [registry],
    }),
    providerQuota: new Gauge({
      name: 'oddsflow_provider_quota',
      help: 'Provider quota from response headers, by provider and kind (remaining, used, last).',
      labelNames: ['provider', 'kind'] as const,
      registers: [registry],
    }),
    providerConnected: new Gauge({
      name: 'oddsflow_provider_connected',
      help: '1 while a stream provider is connected and subscribed.',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
    providerReconnects: new Counter({
      name: 'oddsflow_provider_reconnects_total',
      help: 'Stream reconnections, by provider.',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
    breakerState: new Gauge({
      name: 'oddsflow_breaker_state',
      help: 'Circuit breaker state by breaker: 0 closed, 1 half-open, 2 open.',
      labelNames: ['breaker'] as const,
      registers: [registry],
    }),
    breakerTransitions: new Counter({
      name: 'oddsflow_breaker_transitions_total',
      help: 'Circuit breaker state changes, by breaker and new state.',
      labelNames: ['breaker', 'state'] as const,
      registers: [registry],
    }),
    recordsWritten: new Counter({
      name: 'oddsflow_records_written_total',
      help: 'Records acknowledged by Kafka (committed, for transactional writes), by topic.',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    stageRecords: new Counter({
      name: 'oddsflow_stage_records_total',
      help: 'Records through each processing stage, by stage and direction (in, out).',
      labelNames: ['stage', 'direction'] as const,
      registers: [registry],
    }),
    quotesLeftOut: new Counter({
      name: 'oddsflow_quotes_left_out_total',
      help: "Bookmaker quotes the cross-book state stopped combining, by reason (suspended, closed, other-phase, stale, future); counted when a bookmaker's reason changes.",
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    arbitrageOpened: new Counter({
      name: 'oddsflow_arbitrage_opened_total',
      help: 'Arbitrages after commission that opened in a market, by kind (back-back, back-lay); counted once per opening.',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'oddsflow_dead_letters_total',
      help: 'Records sent to the dead-letter topic, by stage and reason code.',
      labelNames: ['stage', 'reason'] as const,
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'oddsflow_batch_size',
      help: 'Records per batch, by component.',
      labelNames: ['component'] as const,
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'oddsflow_batch_duration_seconds',
      help: 'Time to process and commit one batch, by component.',
      labelNames: ['component'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    sinkSeriesWrites: new Counter({
      name: 'oddsflow_sink_series_writes_total',
      help: 'TimescaleDB sink batches by how their time series were written: copied (COPY), or upserted (COPY off, or a stored row - a replay, a correction - sent the batch back to the upserts).',
      labelNames: ['method'] as const,
      registers: [registry],
    }),
    endToEndSeconds: new Histogram({
      name: 'oddsflow_end_to_end_latency_seconds',
      help: 'From the provider timestamp to the record written in a store, by store.',
      labelNames: ['store'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    consumerRestarts: new Counter({
      name: 'oddsflow_consumer_restarts_total',
      help: 'Consumer loops started again after their consumer stopped for good (a broker restart), by loop.',
      labelNames: ['component'] as const,
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'oddsflow_consumer_lag',
      help: 'Messages between the committed offset and the end of the partition.',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers: [registry],
    }),
    consumerTimeLag: new Gauge({
      name: 'oddsflow_consumer_time_lag_seconds',
      help: 'Estimated age of the oldest message a group has not consumed yet (0 when caught up).',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers: [registry],
    }),
    infrastructureHold: new Gauge({
      name: 'oddsflow_infrastructure_hold',
      help: 'Set (1) while a component holds its input because a dependency fails, by component and error code.',
      labelNames: ['component', 'code'] as const,
      registers: [registry],
    }),
    infrastructureFaults: new Counter({
      name: 'oddsflow_infrastructure_faults_total',
      help: 'Failed attempts held and retried (not dead-lettered), by component and error code.',
      labelNames: ['component', 'code'] as const,
      registers: [registry],
    }),
    readiness: new Gauge({
      name: 'oddsflow_readiness',
      help: '1 while a readiness check passes, 0 while it fails, by check.',
      labelNames: ['check'] as const,
      registers: [registry],
    }),
    providerHalted: new Gauge({
      name: 'oddsflow_provider_halted',
      help: '1 while a connector has stopped calling its provider until a person acts (rejected credentials, exhausted quota, expired session).',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
    providerFreshness: new Gauge({
      name: 'oddsflow_provider_freshness_seconds',
      help: 'Seconds since the last record of each provider and sport was published.',
      labelNames: ['provider', 'sport'] as const,
      registers: [registry],
      collect() {
        const now = Date.now();
        for (const { provider, sport, at } of lastRecordAt.values())
          this.set({ provider, sport }, Math.max(0, (now - at) / 1000));
      },
    }),
    /** Notes a published record of `provider` and `sport` at `at` (ms), for the freshness gauge. */
    recordPublished(provider: string, sport: string, at: number): void {
      lastRecordAt.set(`${provider}\u0000${sport}`, { provider, sport, at });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Process metrics (CPU, memory, event loop lag) for long-running roles. */
export function collectProcessMetrics(metrics: Metrics): void {
  collectDefaultMetrics({ register: metrics.registry, prefix: 'oddsflow_' });
}
