import { describeError, isRetriable, ProviderError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import { backoffDelay, type BackoffPolicy } from '../../src/core/resilience/backoff.js';
import type { Credentials, IdentityClient } from './identity.js';
import type { HttpsSettings } from './https-post.js';
import { PROVIDER } from './protocol.js';
import { SessionNotRenewedError, SessionRejectedError } from './status-errors.js';

/** How a session is (re)gained: interactive (api/login) or with a client certificate (api/certlogin). */
export type Login =
  ({ method: 'interactive' } & Credentials) | ({ method: 'certificate'; tls: HttpsSettings } & Credentials);

/** Where a session token comes from, for the stream and the Betting API alike. */
export interface SessionSource {
  /** The token to use now; logs in first when there is none yet. */
  token(): Promise<string>;
  /**
   * `refused` was refused (NO_SESSION, INVALID_SESSION_INFORMATION): a new token. When the
   * session was already renewed since, the current one; concurrent callers share one login.
   * Rejects when no login is configured or the login fails.
   */
  renew(refused: string): Promise<string>;
}

export interface SessionKeeperOptions {
  /** A token from configuration, used until it is refused; a login is made when absent. */
  initialToken: string | undefined;
  login: Login | undefined;
  /** Time between two keepAlive calls; Betfair sessions last from 20 min (.it) to 24 h (.com) idle. */
  keepAliveMs: number;
  /** After a failed keepAlive (network, identity service down), the next try comes sooner. */
  retry: BackoffPolicy;
}

export interface SessionKeeperEvents {
  /** The session could not be kept or renewed; `retrying` when a later attempt may still work. */
  onLost(error: Error, retrying: boolean): void;
  /** A session is held again after onLost. */
  onRestored(): void;
}

/**
 * Holds the Betfair session: logs in when needed, keeps the session alive on a schedule
 * (api/keepAlive) and renews it by logging in again when Betfair refuses it. The token, the
 * password and the certificate are never logged; messages name the call and Betfair's code.
 */
export class SessionKeeper implements SessionSource {
  private current: string | undefined;
  private renewing: Promise<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private lost = false;
  private stopped = false;

  constructor(
    private readonly options: SessionKeeperOptions,
    private readonly identity: IdentityClient,
    private readonly logger: Logger,
    private readonly events: SessionKeeperEvents,
    private readonly random: () => number = Math.random,
  ) {
    this.current = options.initialToken;
  }

  token(): Promise<string> {
    if (this.current !== undefined) return Promise.resolve(this.current);
    return this.loginOnce();
  }

  renew(refused: string): Promise<string> {
    if (this.current !== undefined && this.current !== refused) return Promise.resolve(this.current);
    return this.loginOnce();
  }

  /** Starts the keepAlive schedule. */
  start(): void {
    this.stopped = false;
    this.schedule(this.options.keepAliveMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private loginOnce(): Promise<string> {
    this.renewing ??= this.login().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  private async login(): Promise<string> {
    const { login } = this.options;
    if (login === undefined) {
      throw new ProviderError(
        'PROVIDER_AUTH_FAILED',
        PROVIDER,
        'no login is configured (set `login` in ODDSFLOW_CONNECTOR_BETFAIR, and BETFAIR_USERNAME and BETFAIR_PASSWORD)',
      );
    }
    const { username, password } = login;
    this.current =
      login.method === 'certificate'
        ? await this.identity.certLogin({ username, password }, login.tls)
        : await this.identity.login({ username, password });
    this.logger.info({ method: login.method }, 'logged in: new session');
    this.restored();
    return this.current;
  }

  private restored(): void {
    this.failures = 0;
    if (!this.lost) return;
    this.lost = false;
    this.events.onRestored();
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    // Never the only thing keeping a process alive.
    this.timer = setTimeout(() => void this.keepAlive(), delayMs).unref();
  }

  private async keepAlive(): Promise<void> {
    const token = this.current;
    try {
      if (token === undefined) await this.token();
      else {
        const kept = await this.identity.keepAlive(token);
        // A renewal may have replaced the token meanwhile: the newer one stays.
        if (this.current === token) this.current = kept;
        this.logger.debug('session kept alive');
        this.restored();
      }
      this.schedule(this.options.keepAliveMs);
    } catch (err) {
      if (this.stopped) return;
      if (err instanceof SessionRejectedError && token !== undefined) return this.renewExpired(token, err);
      this.onFailure(err);
    }
  }

  /** keepAlive found the session gone: log in now rather than when the stream next reconnects. */
  private async renewExpired(token: string, refused: SessionRejectedError): Promise<void> {
    this.logger.warn(`${refused.message}: logging in again`);
    try {
      await this.renew(token);
      this.schedule(this.options.keepAliveMs);
    } catch (err) {
      this.onFailure(new SessionNotRenewedError(refused, err, isRetriable(err)));
    }
  }

  private onFailure(err: unknown): void {
    const error = err instanceof Error ? err : new Error(describeError(err));
    const retrying = isRetriable(err);
    this.lost = true;
    this.events.onLost(error, retrying);
    if (!retrying) {
      this.logger.error({ err }, `session lost, not retrying: ${describeError(err)}`);
      return;
    }
    const { retry, keepAliveMs } = this.options;
    const jittered = backoffDelay(this.failures++, retry, this.random);
    const delayMs = Math.min(keepAliveMs, Math.max(retry.initialMs, jittered));
    this.logger.warn({ err, delayMs }, `keeping the session alive failed, retrying: ${describeError(err)}`);
    this.schedule(delayMs);
  }
}
