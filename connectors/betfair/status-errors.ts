import { ProviderError, type ErrorCode } from '../../src/errors.js';
import { PROVIDER, type StatusMessage } from './protocol.js';

type ProviderCode = Extract<ErrorCode, `PROVIDER_${string}`>;

// Status error codes of the Exchange Stream API (ESASwaggerSchema.json, StatusMessage.errorCode).
// Credentials and malformed requests cannot fix themselves: retrying them only earns a ban.
const codes: Record<string, ProviderCode> = {
  NO_APP_KEY: 'PROVIDER_AUTH_FAILED',
  INVALID_APP_KEY: 'PROVIDER_AUTH_FAILED',
  NO_SESSION: 'PROVIDER_AUTH_FAILED',
  INVALID_SESSION_INFORMATION: 'PROVIDER_AUTH_FAILED',
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

/** A FAILURE status as the project's error; unknown codes count as a passing provider fault. */
export function statusError(status: StatusMessage): ProviderError {
  const errorCode = status.errorCode ?? 'UNKNOWN';
  const code = codes[errorCode] ?? 'PROVIDER_UNAVAILABLE';
  const message = `${errorCode}${status.errorMessage ? `: ${status.errorMessage}` : ''}`;
  return new ProviderError(code, PROVIDER, message, {
    ...(errorCode === 'INVALID_CLOCK' ? { retriable: true } : {}),
  });
}
