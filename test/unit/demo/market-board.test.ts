import { describe, expect, it } from 'vitest';
import { joinedProviders, MarketBoard } from '../../../src/app/demo/market-board.js';
import { renderView } from '../../../src/app/demo/live-view.js';
import { pricing } from '../../helpers/records.js';

describe("the demo's market board", () => {
  it('shows markets quoted by an exchange and a bookmaker first, tagged with both providers', () => {
    const board = new MarketBoard();
    const race = 'horse-racing/2027-03-01/ascot/1405';
    board.update(pricing({ eventId: race, provider: 'betfair', bookmaker: 'betfair' }));
    board.update(pricing({ eventId: race, provider: 'ws-json', bookmaker: 'northbet' }));
    for (let i = 0; i < 10; i++) board.update(pricing({ eventId: `other-${i}`, provider: 'betfair' }));
    const shown = board.showcase(4);
    expect(shown.map((m) => m.eventId)).toEqual([race, 'other-9', 'other-8', 'other-7']);
    expect(joinedProviders(shown[0]!)).toEqual(['betfair', 'ws-json']);
    expect(joinedProviders(shown[1]!)).toBeUndefined();
    expect(board.joinedCount).toBe(1);
    const view = renderView({
      elapsedSeconds: 1,
      markets: shown,
      rates: [],
      lag: [],
      breakers: [],
      deadLetters: 0,
      arbitragesOpened: 0,
      stores: { timescaleRows: null, redisKeys: null },
    });
    const line = view.split('\n').find((l) => l.includes(race));
    expect(line).toMatch(/WIN +\x1b\[36mbetfair \+ ws-json/);
  });
});
