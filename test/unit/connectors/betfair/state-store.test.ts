import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { StreamStateStore } from '../../../../connectors/betfair/state-store.js';

async function store() {
  const dir = await mkdtemp(join(tmpdir(), 'oddsflow-betfair-state-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return new StreamStateStore(dir, 'fingerprint');
}

describe('Betfair stream state store', () => {
  it('keeps the catalogue of the cached markets across a restart', async () => {
    const s = await store();
    const catalogue = [
      { marketId: '1.1', marketName: 'To Be Placed', runners: [{ selectionId: 5, runnerName: 'Gap Year' }] },
    ];
    await s.save({
      clocks: { initialClk: 'a', clk: 'b' },
      publishTime: 7,
      markets: [{ id: '1.1' }],
      catalogue,
    });
    expect(await s.load()).toEqual({
      kind: 'loaded',
      state: { clocks: { initialClk: 'a', clk: 'b' }, publishTime: 7, markets: [{ id: '1.1' }], catalogue },
    });
  });

  it('reads a file written before the catalogue was kept', async () => {
    const s = await store();
    const old = {
      version: 1,
      subscription: 'fingerprint',
      clk: 'b',
      initialClk: 'a',
      publishTime: 7,
      markets: [],
    };
    await writeFile(s.path, JSON.stringify(old));
    expect(await s.load()).toMatchObject({ kind: 'loaded', state: { catalogue: [], publishTime: 7 } });
  });
});
