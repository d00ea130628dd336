import type { z } from 'zod';
import type {
  DeadLetterError,
  RawMarketBook,
  RawResult,
  RawSelection,
} from '../src/core/generated/avro-types.js';
import type { Logger } from '../src/core/logger.js';
import type { Metrics } from '../src/core/metrics.js';
import type { BreakerFactory } from '../src/core/resilience/breaker.js';
import type { HistoryFormat } from './historical/formats.js';

/** A provider payload the connector could not turn into records: it is dead-lettered, not dropped. */
export interface ParseFailure {
  provider: string;
  reasonCode: string;
  errors: DeadLetterError[];
  /** The payload byte for byte (a frame, a response body, a line of a stream file). */
  payload: Buffer | string;
}

/** The exchange fields of a selection, for providers that have none (bookmakers' prices). */
export function noExchangeData(): Pick<
  RawSelection,
  'handicap' | 'lastTradedPrice' | 'tradedVolume' | 'depth' | 'bspNear' | 'bspFar'
> {
  return {
    handicap: null,
    lastTradedPrice: null,
    tradedVolume: null,
    depth: [],
    bspNear: null,
    bspFar: null,
  };
}

/** The exchange fields of a book, for providers that have none. */
export const noExchangeMarketData = {
  marketBaseRate: null,
  totalMatched: null,
} as const satisfies Partial<RawMarketBook>;

/**
 * Where connectors put what they produce. The Kafka implementation writes RawMarketBook to
 * odds.raw and RawResult to results.raw (Avro, idempotent producer) and ParseFailure to odds.dlq;
 * `transform` and `replay` use other implementations of the same interface.
 * A promise resolves once the records are acknowledged (durable), so a connector that awaits it
 * never advances past data it has not handed over.
 */
export interface RawPublisher {
  publishBooks(books: readonly RawMarketBook[]): Promise<void>;
  publishResults(results: readonly RawResult[]): Promise<void>;
  deadLetter(failure: ParseFailure): Promise<void>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * What a connector tells its role about itself, for /readyz: `halted` when it cannot deliver
 * data (stopped for good, or unable to recover on its own for now), with one line saying why;
 * `running` once it delivers again.
 */
export interface ConnectorStatus {
  halted(reason: string): void;
  running(): void;
}

export interface ConnectorDeps {
  logger: Logger;
  publisher: RawPublisher;
  breakers: BreakerFactory;
  clock: Clock;
  metrics: Metrics;
  /** A directory the connector may keep state in across restarts (Betfair clocks). */
  stateDir: string;
  /**
   * Tells the role that the connector has stopped getting data until a person acts (a rejected
   * key, an exhausted quota, an expired session): `halted` with a reason for the log (no
   * secrets), `running` once data flows again. The connectors role turns it into /readyz
   * (`PROVIDER_HALTED:<connector>`) and `oddsflow_provider_halted`.
   */
  status: ConnectorStatus;
}

export interface Connector {
  readonly name: string;
  /** Resolves once the connector is running (first poll scheduled, or connection attempted). */
  start(): Promise<void>;
  /** Stops polling/streaming, waits for in-flight publishes, and releases sockets and timers. */
  stop(): Promise<void>;
}

/**
 * How a connector is configured from the environment: one variable holds its config as JSON, and
 * its credentials have variables of their own, so that the JSON can live in a file without them.
 * All of them are secret (the JSON may hold credentials too): never shown in logs or errors.
 */
export interface ConnectorSettings<V extends string = string, C extends string = string> {
  /** ODDSFLOW_CONNECTOR_<NAME>. */
  config: V;
  credentials: readonly C[];
  /** The JSON config with the credentials given by variable put in. */
  withCredentials(
    config: Record<string, unknown>,
    credentials: Partial<Record<C, string>>,
  ): Record<string, unknown>;
}

/**
 * What every connector module exports, and all the application needs to know of it: the
 * registry (registry.ts) lists the modules, and the settings, the connectors role and the
 * offline commands are made from what each declares.
 */
export interface ConnectorModule<
  S extends z.ZodType = z.ZodType,
  E extends ConnectorSettings = ConnectorSettings,
> {
  name: string;
  configSchema: S;
  settings: E;
  /** The format its recordings are read in (`--provider` names the connector for `--format`). */
  recordingFormat: HistoryFormat;
  create(config: z.output<S>, deps: ConnectorDeps): Connector;
}
