import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { Logger } from '../../../../src/core/logger.js';
import { createMetrics } from '../../../../src/core/metrics.js';
import { createBreakerFactory } from '../../../../src/core/resilience/breaker.js';
import { systemClock, type ConnectorDeps, type RawPublisher } from '../../../../connectors/contract.js';
import { RecordedStatus } from '../../../helpers/connector-status.js';

export function connectorDeps(publisher: RawPublisher, logger: Logger): ConnectorDeps {
  const metrics = createMetrics();
  const stateDir = mkdtempSync(join(tmpdir(), 'ws-json-'));
  onTestFinished(() => rmSync(stateDir, { recursive: true, force: true }));
  return {
    logger,
    publisher,
    metrics,
    breakers: createBreakerFactory(logger, metrics),
    clock: systemClock,
    stateDir,
    status: new RecordedStatus(),
  };
}
