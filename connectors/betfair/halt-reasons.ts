import type { ConnectorStatus } from '../contract.js';

type Part = 'stream' | 'session';

/**
 * Why the connector cannot deliver, by the part that says so: the stream (stopped for good, or
 * unable to renew its session) or the session (lost for good). /readyz shows the stream's reason
 * first; the connector runs again once neither holds. A reconnect after a network fault is not a halt.
 */
export class HaltReasons {
  private readonly reasons: Record<Part, string | undefined> = { stream: undefined, session: undefined };

  constructor(private readonly status: ConnectorStatus) {}

  set(part: Part, reason: string | undefined): void {
    this.reasons[part] = reason;
    const shown = this.reasons.stream ?? this.reasons.session;
    if (shown === undefined) this.status.running();
    else this.status.halted(shown);
  }
}
