/**
 * Every error the project raises on purpose. `retriable` drives the retry loops and the
 * opossum `errorFilter`: a non-retriable error is the caller's fault (bad config, bad input,
 * an exhausted quota) and repeating the call cannot fix it.
 */
export const errorCodes = {
  CONFIG_INVALID: { retriable: false },
  STACK_DEPENDENCY_MISSING: { retriable: false },
  STACK_START_FAILED: { retriable: false },
  STACK_NOT_READY: { retriable: true },
  KAFKA_UNAVAILABLE: { retriable: true },
  /** A record the broker can never accept (too large, invalid): sending it again cannot help. */
  KAFKA_RECORD_REJECTED: { retriable: false },
  SCHEMA_REGISTRY_UNAVAILABLE: { retriable: true },
  /** The registry answered but refused (401/403 after a credential change, 404 after a rebuild): hold, alert. */
  SCHEMA_REGISTRY_REFUSED: { retriable: true },
  SCHEMA_INCOMPATIBLE: { retriable: false },
  SCHEMA_UNKNOWN_TOPIC: { retriable: false },
  SERDE_DECODE_FAILED: { retriable: false },
  SERDE_ENCODE_FAILED: { retriable: false },
  PROVIDER_RATE_LIMITED: { retriable: true },
  PROVIDER_UNAVAILABLE: { retriable: true },
  PROVIDER_TIMEOUT: { retriable: true },
  PROVIDER_AUTH_FAILED: { retriable: false },
  PROVIDER_QUOTA_EXHAUSTED: { retriable: false },
  PROVIDER_REQUEST_REJECTED: { retriable: false },
  PROVIDER_PROTOCOL: { retriable: false },
  PROVIDER_CONNECTION_LOST: { retriable: true },
  BREAKER_OPEN: { retriable: true },
  VALIDATION_FAILED: { retriable: false },
  DATABASE_UNAVAILABLE: { retriable: true },
  DATABASE_QUERY_FAILED: { retriable: false },
  REDIS_UNAVAILABLE: { retriable: true },
  /** A store write that neither succeeded nor failed within its bound (ODDSFLOW_SINK_WRITE_TIMEOUT_S). */
  STORE_WRITE_TIMEOUT: { retriable: true },
  REDIS_COMMAND_FAILED: { retriable: false },
  /** Redis refused for a reason no record causes (permissions, cluster redirection, unknown command). */
  REDIS_REFUSED: { retriable: true },
  INPUT_UNREADABLE: { retriable: false },
  SHUTDOWN_TIMED_OUT: { retriable: false },
} as const satisfies Record<string, { retriable: boolean }>;

export type ErrorCode = keyof typeof errorCodes;

export interface OddsflowErrorOptions {
  cause?: unknown;
  /** Overrides the code's default, e.g. a 5xx provider answer is retriable, a 4xx is not. */
  retriable?: boolean;
}

export class OddsflowError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: OddsflowErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? errorCodes[code].retriable;
  }
}

/** Configuration that cannot be used; `problems` holds one line per offending setting. */
export class ConfigError extends OddsflowError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/** The local stack (Kafka, registry, database, Redis) cannot be obtained or started. */
export class StackError extends OddsflowError {
  readonly component: string;

  constructor(
    code: Extract<ErrorCode, `STACK_${string}`>,
    component: string,
    message: string,
    options?: OddsflowErrorOptions,
  ) {
    super(code, `${component}: ${message}`, options);
    this.component = component;
  }
}

/** A provider call or stream failed; `status` is the HTTP status where there was one. */
export class ProviderError extends OddsflowError {
  readonly provider: string;
  readonly status: number | undefined;

  constructor(
    code: Extract<ErrorCode, `PROVIDER_${string}`>,
    provider: string,
    message: string,
    options: OddsflowErrorOptions & { status?: number } = {},
  ) {
    super(code, `${provider}: ${message}`, options);
    this.provider = provider;
    this.status = options.status;
  }
}

/** Avro encoding/decoding or schema registration failed. */
export class SerdeError extends OddsflowError {}

/** A store (PostgreSQL/TimescaleDB or Redis) failed; pg's DatabaseError is kept in `cause`. */
export class StoreError extends OddsflowError {}

export function isRetriable(err: unknown): boolean {
  return err instanceof OddsflowError ? err.retriable : true;
}

/** One line for a human: the code when we have one, then the message. */
export function describeError(err: unknown): string {
  if (err instanceof OddsflowError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
