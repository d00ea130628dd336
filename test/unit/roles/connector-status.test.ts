import { describe, expect, it } from 'vitest';
import { NotReady } from '../../../src/core/health/readiness.js';
import { createLogger } from '../../../src/core/logger.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { ConnectorStatusBoard } from '../../../src/app/roles/connector-status.js';

describe('ConnectorStatusBoard with metrics', () => {
  it('fails readiness with a reason code per halted connector and sets the alerting gauge', async () => {
    const metrics = createMetrics();
    const board = new ConnectorStatusBoard({ metrics, logger: createLogger({ level: 'silent' }) });
    const betfair = board.statusOf('betfair');
    const oddsApi = board.statusOf('the-odds-api');
    await expect(board.check()).resolves.toBeUndefined();

    betfair.halted('NO_SESSION: the session token expired');
    oddsApi.halted('PROVIDER_QUOTA_EXHAUSTED: usage credits exhausted');
    const failure: unknown = await board.check().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(NotReady);
    expect((failure as NotReady).reason).toBe('PROVIDER_HALTED:betfair,PROVIDER_HALTED:the-odds-api');
    const halted = (await metrics.providerHalted.get()).values.map((v) => [v.labels.provider, v.value]);
    expect(halted).toEqual([
      ['betfair', 1],
      ['the-odds-api', 1],
    ]);

    betfair.running();
    oddsApi.running();
    await expect(board.check()).resolves.toBeUndefined();
    expect((await metrics.providerHalted.get()).values.every((v) => v.value === 0)).toBe(true);
  });
});
