import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ProviderError } from '../../src/core/errors.js';
import { PROVIDER } from './protocol.js';

/** TLS of Betfair's HTTPS endpoints: an extra CA (a simulator's) and, for certificate login, a client certificate. */
export interface HttpsSettings {
  ca?: string | undefined;
  rejectUnauthorized: boolean;
  /** Client certificate and key (PEM), sent only where given (identitysso-cert). */
  cert?: string | undefined;
  key?: string | undefined;
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** No Betfair answer we ask for comes near this; a bigger one is not what we asked for. */
const maxBodyBytes = 32 * 1024 * 1024;

/**
 * One POST, answered with its status and body whatever the status; a network failure or timeout
 * is a retriable ProviderError. node:https rather than fetch: fetch cannot present a client
 * certificate (certificate login) without undici's own Agent. `what` names the call in errors;
 * neither the URL's query nor the body (credentials) ever appears in one.
 */
export function httpsPost(
  url: URL,
  headers: Record<string, string>,
  body: string,
  tls: HttpsSettings,
  what: string,
  signal?: AbortSignal,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const options = {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      timeout: tls.timeoutMs,
      signal,
    };
    const onResponse = (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) {
          req.destroy(
            new ProviderError('PROVIDER_PROTOCOL', PROVIDER, `${what}: answer over ${maxBodyBytes} bytes`),
          );
        } else chunks.push(chunk);
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', (err) => fail(err));
    };
    const req = secure
      ? httpsRequest(
          url,
          {
            ...options,
            ca: tls.ca,
            cert: tls.cert,
            key: tls.key,
            rejectUnauthorized: tls.rejectUnauthorized,
          },
          onResponse,
        )
      : httpRequest(url, options, onResponse);
    const fail = (err: unknown) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      if (err instanceof ProviderError) return reject(err);
      const reason = err instanceof Error ? err.message : String(err);
      reject(
        new ProviderError('PROVIDER_CONNECTION_LOST', PROVIDER, `${what} failed: ${reason}`, { cause: err }),
      );
    };
    req.on('timeout', () =>
      req.destroy(
        new ProviderError('PROVIDER_TIMEOUT', PROVIDER, `${what}: no answer within ${tls.timeoutMs} ms`),
      ),
    );
    req.on('error', fail);
    req.end(body);
  });
}

/** The HTTP status as an error when nothing in the body says more. */
export function httpStatusError(status: number, what: string, body: string): ProviderError {
  const message = `${what}: HTTP ${status} ${body.slice(0, 200)}`.trim();
  if (status === 429) return new ProviderError('PROVIDER_RATE_LIMITED', PROVIDER, message, { status });
  if (status >= 500) return new ProviderError('PROVIDER_UNAVAILABLE', PROVIDER, message, { status });
  if (status === 401 || status === 403)
    return new ProviderError('PROVIDER_AUTH_FAILED', PROVIDER, message, { status });
  return new ProviderError('PROVIDER_REQUEST_REJECTED', PROVIDER, message, { status });
}

/** A 200 answer's body as JSON; anything else is a protocol error naming the call. */
export function answerJson(body: string, what: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new ProviderError(
      'PROVIDER_PROTOCOL',
      PROVIDER,
      `${what}: answer is not JSON: ${body.slice(0, 100)}`,
    );
  }
}
