/**
 * The simulator's sessions: the token it starts with, the ones its logins issue, and how they
 * end. As on Betfair, only a keepAlive (or a new login) extends a session, not API activity.
 */
export interface SimAccountSettings {
  appKey: string;
  username: string;
  password: string;
  /** Valid from the start, as a token a deployment got from an earlier login. */
  initialToken: string;
  /** A session not kept alive for this long expires; undefined: never. */
  sessionIdleMs: number | undefined;
}

export interface SimAccountStats {
  logins: number;
  certLogins: number;
  loginFailures: number;
  keepAlives: number;
  catalogueRequests: number;
  /** Sessions ended on purpose (expireSessions). */
  expired: number;
}

export class SimAccounts {
  readonly stats: SimAccountStats = {
    logins: 0,
    certLogins: 0,
    loginFailures: 0,
    keepAlives: 0,
    catalogueRequests: 0,
    expired: 0,
  };
  /** Token → when it was last extended (performance.now). */
  private readonly sessions = new Map<string, number>();
  private issued = 0;
  /** Fault: every login is answered with this error code. */
  loginError: string | undefined;

  constructor(readonly settings: SimAccountSettings) {
    this.sessions.set(settings.initialToken, performance.now());
  }

  isValid(token: string | undefined): boolean {
    if (token === undefined) return false;
    const extendedAt = this.sessions.get(token);
    if (extendedAt === undefined) return false;
    const idle = this.settings.sessionIdleMs;
    if (idle !== undefined && performance.now() - extendedAt > idle) {
      this.sessions.delete(token);
      return false;
    }
    return true;
  }

  /** A login's answer: a new token, or the error code Betfair would give. */
  login(username: string | null, password: string | null): { token: string } | { error: string } {
    const error =
      this.loginError ??
      (username !== this.settings.username || password !== this.settings.password
        ? 'INVALID_USERNAME_OR_PASSWORD'
        : undefined);
    if (error !== undefined) {
      this.stats.loginFailures++;
      return { error };
    }
    const token = `sim-session-${++this.issued}-${Math.random().toString(36).slice(2, 10)}`;
    this.sessions.set(token, performance.now());
    return { token };
  }

  keepAlive(token: string | undefined): boolean {
    this.stats.keepAlives++;
    if (token === undefined || !this.isValid(token)) return false;
    this.sessions.set(token, performance.now());
    return true;
  }

  /** Fault: every session ends now. */
  expireAll(): void {
    this.stats.expired += this.sessions.size;
    this.sessions.clear();
  }
}
