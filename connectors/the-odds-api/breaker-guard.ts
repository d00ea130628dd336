import { OddsflowError, ProviderError } from '../../src/core/errors.js';
import type { Breaker } from '../../src/core/resilience/breaker.js';
import type { AttemptGuard, OddsApiResponse } from './http-client.js';
import { provider } from './parse-body.js';

export type AttemptBreaker = Breaker<[() => Promise<OddsApiResponse>], OddsApiResponse>;

function opossumCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Runs each HTTP attempt through the breaker and turns opossum's own rejections into project
 * errors. An open breaker is marked non-retriable here although BREAKER_OPEN is retriable in
 * general: the retry loop around one poll must give up at once (the breaker exists to stop calls),
 * while the next scheduled poll tries again and meets the half-open probe when it is due.
 */
export function breakerGuard(breaker: AttemptBreaker): AttemptGuard {
  return async (attempt) => {
    try {
      return await breaker.fire(attempt);
    } catch (err) {
      const code = opossumCode(err);
      if (code === 'EOPENBREAKER' || code === 'ESHUTDOWN') {
        throw new OddsflowError('BREAKER_OPEN', `${provider}: circuit breaker open, call not made`, {
          retriable: false,
        });
      }
      if (code === 'ETIMEDOUT') {
        throw new ProviderError('PROVIDER_TIMEOUT', provider, 'breaker timeout', { cause: err });
      }
      throw err;
    }
  };
}

/** The action every attempt runs as: the breaker only times and counts it. */
export const runAttempt = (attempt: () => Promise<OddsApiResponse>): Promise<OddsApiResponse> => attempt();
