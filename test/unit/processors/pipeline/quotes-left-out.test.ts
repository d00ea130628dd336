import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readProviderInput } from '../../../../connectors/offline-readers.js';
import { createEnrichStage } from '../../../../processors/pipeline/enrich-stage.js';
import { createOfflineChain } from '../../../../processors/pipeline/offline-chain.js';
import { createPrepareStage } from '../../../../processors/pipeline/prepare-stage.js';
import { settingsSchema } from '../../../../src/app/config/settings.js';
import { createMetrics } from '../../../../src/core/metrics.js';
import { pipelineOptions } from '../../../../src/app/roles/processors.js';

describe('quotes left out, as Prometheus counts them', () => {
  it('counts each reason with the settings applied, and no arbitrage across them', async () => {
    const metrics = createMetrics();
    const now = () => Date.parse('2026-12-06T12:00:00Z');
    const settings = settingsSchema.parse({ ODDSFLOW_QUOTE_MAX_AGE_IN_PLAY_S: '20' });
    const options = await pipelineOptions(settings, now, metrics);
    const chain = createOfflineChain(
      createPrepareStage(options.prepare),
      createEnrichStage(options.enrich),
      now,
    );
    const file = fileURLToPath(
      new URL('../../../fixtures/the-odds-api/handmade_odds_mixed_phases_ages.json', import.meta.url),
    );
    let arbitrages = 0;
    for await (const chunk of readProviderInput('the-odds-api', {
      file,
      receivedAt: now(),
      report: (problem) => expect.fail(JSON.stringify(problem)),
    })) {
      for (const out of chain.books(chunk.books))
        if (out.type === 'pricing' && out.crossBook.arbitrage) arbitrages++;
    }
    const counted = Object.fromEntries(
      (await metrics.quotesLeftOut.get()).values.map((v) => [String(v.labels.reason), v.value]),
    );
    // Three-way books, three quotes each: the two pre-match books once the market is in play; William
    // Hill 10 min behind; Unibet 30 s behind (over the 20 s set here); the skewed clock's book.
    expect(counted).toEqual({ 'other-phase': 6, stale: 6, future: 3 });
    expect(arbitrages).toBe(0);
    expect((await metrics.arbitrageOpened.get()).values).toEqual([]);
  });
});
