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
import type { ProblemSink } from './historical/problems.js';
import type { ConnectorSimulator } from './simulator-contract.js';
import type { FieldMapping } from './ws-json/field-mapping.js';

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
 * Recorded provider payloads as raw records, in chunks that carry their position in the file, so
 * `transform` prints them and `replay` publishes them and can resume after a position.
 */
export interface RecordChunk {
  /** 1-based: a line of a line-based file, or an element of an Odds API response array. */
  position: number;
  books: RawMarketBook[];
  results: RawResult[];
  failures: ParseFailure[];
}

/** What the offline commands' flags tell a format's reader (`--odds-format`, `--mapping`, …). */
export interface RecordingOptions {
  /** Prices of a format that does not say: auto reads them from the prices. */
  oddsFormat?: 'auto' | 'decimal' | 'american';
  /** How JSON frames map to books (the ws-json mapping language). */
  wsMapping?: FieldMapping;
  /** `provider` of the records, for formats any feed may write. */
  provider?: string;
  /** The time zone of local times in the file, and the sport (a Betfair event type id). */
  timeZone?: string;
  sport?: string;
}

/** What a reader is given besides the file's lines. */
export interface RecordingContext<O extends RecordingOptions = RecordingOptions> {
  /** The file's name, for problems and dead letters. */
  file: string;
  /** First position whose records are returned; earlier ones may still build state. */
  from: number;
  /** Time of records whose file gives none: the file's modification time. */
  fallbackTime: number;
  report: ProblemSink;
  options: O;
}

/** The start of a file, by which `--format auto` tells its format. */
export interface FileHead<O extends RecordingOptions = RecordingOptions> {
  /** Lower case, without a compression suffix (`.gz`, `.bz2`). */
  name: string;
  /** The first line that is not blank; undefined: the file is empty. */
  first: string | undefined;
  options: O;
}

/**
 * A format recorded data comes in (`--format <name>`). Auto-detection asks the formats that claim
 * the file's suffix, or, when none does, those that claim no suffix; a `fallback` format only after
 * the others, so that a format that knows its files wins over one that takes any file of its kind.
 */
export interface RecordingFormat<O extends RecordingOptions = RecordingOptions> {
  name: string;
  /** The name ending that makes a file this format's candidate (`.json`); none: told by its first line. */
  suffix?: string;
  fallback?: boolean;
  recognises(head: FileHead<O>): boolean;
  /**
   * The file's records, streamed from its lines (blank ones included, so that a line's index is
   * its number). Records keep the provider's times, so that a second reading gives the same ones.
   */
  read(lines: AsyncIterable<string>, context: RecordingContext<O>): AsyncIterable<RecordChunk>;
}

/**
 * What every connector module exports, and all the application needs to know of it: the
 * registry (registry.ts) lists the modules, and the settings, the connectors role, the offline
 * commands and the simulators are made from what each declares.
 */
export interface ConnectorModule<
  S extends z.ZodType = z.ZodType,
  E extends ConnectorSettings = ConnectorSettings,
  M extends ConnectorSimulator = ConnectorSimulator,
> {
  name: string;
  configSchema: S;
  settings: E;
  /** The format of its connector's recordings: what `--provider <name>` reads. */
  recordingFormat: RecordingFormat;
  /** Other recorded data of the provider the offline commands read (Betfair's BSP files). */
  otherFormats: readonly RecordingFormat[];
  /** Its simulator, as the demo, `oddsflow simulate` and the end-to-end tests run it. */
  simulator: M;
  create(config: z.output<S>, deps: ConnectorDeps): Connector;
}
