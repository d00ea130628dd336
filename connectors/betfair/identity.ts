import { z } from 'zod';
import { ProviderError } from '../../src/core/errors.js';
import { answerJson, httpsPost, httpStatusError, type HttpsSettings } from './https-post.js';
import { PROVIDER } from './protocol.js';
import { SessionRejectedError, sessionErrorCodes } from './status-errors.js';

// Betfair's identity (SSO) endpoints, after
// https://docs.developer.betfair.com/display/1smk3cen4v3lu3yomq5qye0ni/Interactive+Login+-+API+Endpoint,
// .../Non-Interactive+%28bot%29+login and .../Keep+Alive. Loose objects: Betfair adds fields.

/** api/login and api/keepAlive: `{"token":"…","product":"…","status":"SUCCESS","error":""}`. */
export const ssoResponseSchema = z.looseObject({
  token: z.string().nullish(),
  product: z.string().nullish(),
  status: z.string(),
  error: z.string().nullish(),
});

/** api/certlogin: `{"sessionToken":"…","loginStatus":"SUCCESS"}`. */
export const certLoginResponseSchema = z.looseObject({
  sessionToken: z.string().nullish(),
  loginStatus: z.string(),
});

export interface Credentials {
  username: string;
  password: string;
}

export interface IdentityEndpoints {
  /** api/login and api/keepAlive: https://identitysso.betfair.com/api/ (per jurisdiction). */
  identityUrl: string;
  /** api/certlogin: https://identitysso-cert.betfair.com/api/ */
  certIdentityUrl: string;
}

export interface IdentityClient {
  /** Interactive login (username and password); resolves with the session token. */
  login(credentials: Credentials, signal?: AbortSignal): Promise<string>;
  /** Non-interactive login, the client certificate in `tls`; resolves with the session token. */
  certLogin(credentials: Credentials, tls: HttpsSettings, signal?: AbortSignal): Promise<string>;
  /** Extends the session; resolves with the token to use from now on (Betfair returns it). */
  keepAlive(token: string, signal?: AbortSignal): Promise<string>;
}

/**
 * Login failures that time fixes; everything else (wrong password, locked or suspended account,
 * terms to accept, a certificate missing) needs a person, and retrying only earns a ban.
 */
function loginError(errorCode: string, what: string): ProviderError {
  if (errorCode === 'TEMPORARY_BAN_TOO_MANY_REQUESTS') {
    return new ProviderError('PROVIDER_RATE_LIMITED', PROVIDER, `${what}: ${errorCode}`);
  }
  if (errorCode === 'UNEXPECTED_ERROR' || errorCode === 'INTERNAL_ERROR' || errorCode === 'SERVICE_BUSY') {
    return new ProviderError('PROVIDER_UNAVAILABLE', PROVIDER, `${what}: ${errorCode}`);
  }
  return new ProviderError('PROVIDER_AUTH_FAILED', PROVIDER, `${what}: ${errorCode}`);
}

function parseAnswer<T extends z.ZodType>(
  schema: T,
  status: number,
  body: string,
  what: string,
): z.output<T> {
  if (status !== 200) throw httpStatusError(status, what, body);
  const json = answerJson(body, what);
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
    throw new ProviderError('PROVIDER_PROTOCOL', PROVIDER, `${what}: unexpected answer${where}`);
  }
  return parsed.data;
}

export function createIdentityClient(
  endpoints: IdentityEndpoints,
  appKey: string,
  tls: HttpsSettings,
  onAnswer: (status: string) => void = () => undefined,
): IdentityClient {
  const form = (c: Credentials) =>
    new URLSearchParams({ username: c.username, password: c.password }).toString();
  const formHeaders = {
    'x-application': appKey,
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
  };
  const post = async (
    base: string,
    path: string,
    headers: Record<string, string>,
    body: string,
    settings: HttpsSettings,
    signal?: AbortSignal,
  ) => {
    try {
      const answer = await httpsPost(new URL(path, base), headers, body, settings, path, signal);
      onAnswer(String(answer.status));
      return answer;
    } catch (err) {
      onAnswer(err instanceof ProviderError ? err.code : 'ERROR');
      throw err;
    }
  };

  return {
    async login(credentials, signal) {
      const what = 'login';
      const answer = await post(endpoints.identityUrl, 'login', formHeaders, form(credentials), tls, signal);
      const sso = parseAnswer(ssoResponseSchema, answer.status, answer.body, what);
      // LIMITED_ACCESS logs in but may not bet or read prices: not a session this connector can use.
      if (sso.status !== 'SUCCESS' || !sso.token) throw loginError(sso.error || sso.status, what);
      return sso.token;
    },
    async certLogin(credentials, certTls, signal) {
      const what = 'certlogin';
      const answer = await post(
        endpoints.certIdentityUrl,
        'certlogin',
        formHeaders,
        form(credentials),
        certTls,
        signal,
      );
      const cert = parseAnswer(certLoginResponseSchema, answer.status, answer.body, what);
      if (cert.loginStatus !== 'SUCCESS' || !cert.sessionToken) throw loginError(cert.loginStatus, what);
      return cert.sessionToken;
    },
    async keepAlive(token, signal) {
      const what = 'keepAlive';
      const headers = { 'x-application': appKey, 'x-authentication': token, accept: 'application/json' };
      const answer = await post(endpoints.identityUrl, 'keepAlive', headers, '', tls, signal);
      const sso = parseAnswer(ssoResponseSchema, answer.status, answer.body, what);
      if (sso.status === 'SUCCESS') return sso.token || token;
      const error = sso.error || 'FAIL';
      if (sessionErrorCodes.has(error)) throw new SessionRejectedError(error, what);
      if (error === 'INTERNAL_ERROR')
        throw new ProviderError('PROVIDER_UNAVAILABLE', PROVIDER, `${what}: ${error}`);
      throw new ProviderError('PROVIDER_REQUEST_REJECTED', PROVIDER, `${what}: ${error}`);
    },
  };
}
