import { ProviderError, type ErrorCode } from '../../src/core/errors.js';
import { PROVIDER, type StatusMessage } from './protocol.js';

type ProviderCode = Extract<ErrorCode, `PROVIDER_${string}`>;

// Status error codes of the Exchange Stream API (ESASwaggerSchema.json, StatusMessage.errorCode).
// Credentials and malformed requests cannot fix themselves: retrying them only earns a ban.
const codes: Record<string, ProviderCode> = {
  NO_APP_KEY: 'PROVIDER_AUTH_FAILED',
  INVALID_APP_KEY: 'PROVIDER_AUTH_FAILED',
  NOT_AUTHORIZED: 'PROVIDER_AUTH_FAILED',
  INVALID_INPUT: 'PROVIDER_REQUEST_REJECTED',
  INVALID_REQUEST: 'PROVIDER_REQUEST_REJECTED',
  SUBSCRIPTION_LIMIT_EXCEEDED: 'PROVIDER_REQUEST_REJECTED',
  // Retried once our own timers allow: another connection may have been closed meanwhile.
  MAX_CONNECTION_LIMIT_EXCEEDED: 'PROVIDER_RATE_LIMITED',
  TIMEOUT: 'PROVIDER_TIMEOUT',
  UNEXPECTED_ERROR: 'PROVIDER_UNAVAILABLE',
  CONNECTION_FAILED: 'PROVIDER_UNAVAILABLE',
  // Handled by resubscribing without clocks; reaching here means the connection closed with it.
  INVALID_CLOCK: 'PROVIDER_PROTOCOL',
};

/** What Betfair answers a session token it no longer knows (stream, Betting API, keepAlive). */
export const sessionErrorCodes: ReadonlySet<string> = new Set(['NO_SESSION', 'INVALID_SESSION_INFORMATION']);

/**
 * Betfair refused the session token: it expired or was logged out. Only a new login fixes it,
 * so retrying with the same token is pointless (not retriable); whoever holds a login renews
 * the session (session-keeper.ts) and tries again with the new token.
 */
export class SessionRejectedError extends ProviderError {
  constructor(errorCode: string, where: string) {
    super('PROVIDER_AUTH_FAILED', PROVIDER, `${where}: session refused (${errorCode})`);
  }
}

/** A refused session that could not be renewed; retriable when the login may work later. */
export class SessionNotRenewedError extends ProviderError {
  constructor(refused: SessionRejectedError, cause: unknown, retriable: boolean) {
    const why = cause instanceof Error ? cause.message.replace(`${PROVIDER}: `, '') : String(cause);
    super(
      retriable ? 'PROVIDER_UNAVAILABLE' : 'PROVIDER_AUTH_FAILED',
      PROVIDER,
      `${refused.message.replace(`${PROVIDER}: `, '')} and could not be renewed: ${why}`,
      { cause, retriable },
    );
  }
}

/** A FAILURE status as the project's error; unknown codes count as a passing provider fault. */
export function statusError(status: StatusMessage): ProviderError {
  const errorCode = status.errorCode ?? 'UNKNOWN';
  if (sessionErrorCodes.has(errorCode)) return new SessionRejectedError(errorCode, 'stream');
  const code = codes[errorCode] ?? 'PROVIDER_UNAVAILABLE';
  const message = `${errorCode}${status.errorMessage ? `: ${status.errorMessage}` : ''}`;
  return new ProviderError(code, PROVIDER, message, {
    ...(errorCode === 'INVALID_CLOCK' ? { retriable: true } : {}),
  });
}
