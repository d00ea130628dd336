import type { ConnectorStatus } from '../../connectors/contract.js';
import type { ReadinessCheck } from '../health/server.js';

/**
 * What each connector of the role reported about itself (ConnectorDeps.status), as one
 * readiness check: not ready while any connector is halted, with the connector's own line.
 */
export class ConnectorStatusBoard {
  private readonly halted = new Map<string, string>();

  statusOf(name: string): ConnectorStatus {
    return {
      halted: (reason) => void this.halted.set(name, reason),
      running: () => void this.halted.delete(name),
    };
  }

  readonly check: ReadinessCheck = () => {
    if (this.halted.size === 0) return Promise.resolve();
    const lines = [...this.halted].map(([name, reason]) => `${name}: ${reason}`);
    return Promise.reject(new Error(lines.join('; ')));
  };
}
