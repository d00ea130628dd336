import type { ConnectorStatus } from '../../../connectors/contract.js';
import { NotReady, type ReadinessCheck } from '../../core/health/readiness.js';
import type { Logger } from '../../core/logger.js';
import type { Metrics } from '../../core/metrics.js';

/**
 * What each connector of the role reported about itself (ConnectorDeps.status), as one
 * readiness check: not ready while any connector is halted (`PROVIDER_HALTED:<name>`, the
 * connector's own line in the log), and `oddsflow_provider_halted` per connector for alerting.
 */
export class ConnectorStatusBoard {
  private readonly halted = new Map<string, string>();

  constructor(private readonly deps?: { metrics: Metrics; logger: Logger }) {}

  statusOf(name: string): ConnectorStatus {
    this.deps?.metrics.providerHalted.set({ provider: name }, 0);
    return {
      halted: (reason) => {
        if (this.halted.get(name) !== reason)
          this.deps?.logger.warn({ provider: name, reason }, `${name}: halted: ${reason}`);
        this.halted.set(name, reason);
        this.deps?.metrics.providerHalted.set({ provider: name }, 1);
      },
      running: () => {
        if (this.halted.delete(name)) this.deps?.logger.info({ provider: name }, `${name}: running again`);
        this.deps?.metrics.providerHalted.set({ provider: name }, 0);
      },
    };
  }

  readonly check: ReadinessCheck = () => {
    if (this.halted.size === 0) return Promise.resolve();
    const names = [...this.halted.keys()];
    const lines = [...this.halted].map(([name, reason]) => `${name}: ${reason}`);
    return Promise.reject(new NotReady(names.map((n) => `PROVIDER_HALTED:${n}`).join(','), lines.join('; ')));
  };
}
