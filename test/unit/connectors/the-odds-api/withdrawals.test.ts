import { describe, expect, it, vi } from 'vitest';
import { theOddsApiConnector } from '../../../../connectors/the-odds-api/index.js';
import { createWithdrawalTracker } from '../../../../connectors/the-odds-api/withdrawals.js';
import { rawBook, selection } from '../../processors/normalize/raw-records.js';
import { simulator, testDeps } from './helpers.js';

const t0 = Date.parse('2027-01-14T18:00:00Z');
const book = (event: string, bookmaker: string, market = 'h2h') =>
  rawBook({
    sourceEventId: event,
    sourceMarketId: market,
    marketType: market,
    bookmaker,
    eventTime: t0,
    receivedAt: t0,
  });

describe('withdrawals of The Odds API books', () => {
  it('withdraws a bookmaker missing from a market of an event the next response still lists', () => {
    const tracker = createWithdrawalTracker();
    const first = [book('e1', 'fanduel'), book('e1', 'draftkings'), book('e2', 'fanduel')];
    expect(tracker.withdrawals(first, { receivedAt: t0, complete: true, events: ['e1', 'e2'] })).toEqual([]);
    tracker.remember(first, { receivedAt: t0, complete: true, events: ['e1', 'e2'] });

    // draftkings left e1; e2 left the response altogether (ended, or out of the window).
    const second = [book('e1', 'fanduel')];
    const facts = { receivedAt: t0 + 60_000, complete: true, events: ['e1'] };
    const withdrawn = tracker.withdrawals(second, facts);
    expect(withdrawn).toHaveLength(1);
    expect(withdrawn[0]).toMatchObject({
      sourceEventId: 'e1',
      bookmaker: 'draftkings',
      sourceMarketId: 'h2h',
      status: 'SUSPENDED',
      eventTime: t0 + 60_000,
      receivedAt: t0 + 60_000,
    });
    expect(withdrawn[0]!.selections.every((s) => s.price === null)).toBe(true);
    expect(JSON.parse(withdrawn[0]!.payload)).toMatchObject({ withdrawn: true });
    tracker.remember(second, facts);
    // Said once: the next response without it withdraws nothing more.
    expect(tracker.withdrawals(second, { ...facts, receivedAt: t0 + 120_000 })).toEqual([]);
  });

  it('withdraws every bookmaker of an event listed with none (all suspended), and nothing on a partial response', () => {
    const tracker = createWithdrawalTracker();
    const first = [book('e1', 'fanduel'), book('e1', 'fanduel', 'spreads')];
    tracker.remember(first, { receivedAt: t0, complete: true, events: ['e1'] });
    expect(tracker.withdrawals([], { receivedAt: t0 + 1, complete: false, events: ['e1'] })).toEqual([]);
    const all = tracker.withdrawals([], { receivedAt: t0 + 1, complete: true, events: ['e1'] });
    expect(all.map((b) => b.sourceMarketId).sort()).toEqual(['h2h', 'spreads']);
  });

  it('is never older than the book it withdraws', () => {
    const tracker = createWithdrawalTracker();
    const late = { ...book('e1', 'fanduel'), eventTime: t0 + 5_000 };
    tracker.remember([late], { receivedAt: t0, complete: true, events: ['e1'] });
    const [withdrawn] = tracker.withdrawals([], { receivedAt: t0 + 1_000, complete: true, events: ['e1'] });
    expect(withdrawn?.eventTime).toBe(t0 + 5_000);
    expect(withdrawn?.selections).toEqual([selection('Boston Celtics', null), selection('Miami Heat', null)]);
  });

  it('the connector publishes the withdrawal of a bookmaker the simulator takes off an event', async () => {
    let simNow = t0;
    const sim = await simulator({
      sports: [{ key: 'basketball_nba', events: 3 }],
      bookmakers: 3,
      absenceRate: 0.5,
      firstStartMs: 3_600_000,
      now: () => simNow,
    });
    const deps = testDeps();
    const config = theOddsApiConnector.configSchema.parse({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      sports: [
        {
          sport: 'basketball_nba',
          regions: ['us'],
          markets: ['h2h'],
          pollIntervalMs: 20,
          scoresIntervalMs: null,
        },
      ],
    });
    const connector = theOddsApiConnector.create(config, deps);
    await connector.start();
    // Absences last a 20 s window of the simulator's clock: move it on until one begins.
    const clock = setInterval(() => (simNow += 20_000), 200);
    try {
      await vi.waitFor(() => expect(deps.publisher.books.some((b) => b.status === 'SUSPENDED')).toBe(true), {
        timeout: 10_000,
        interval: 20,
      });
    } finally {
      clearInterval(clock);
      await connector.stop();
    }
    const withdrawal = deps.publisher.books.find((b) => b.status === 'SUSPENDED')!;
    expect(withdrawal.selections.every((s) => s.price === null)).toBe(true);
    const before = deps.publisher.books.filter(
      (b) =>
        b.status === 'OPEN' &&
        b.sourceEventId === withdrawal.sourceEventId &&
        b.bookmaker === withdrawal.bookmaker &&
        b.receivedAt <= withdrawal.receivedAt,
    );
    expect(before.length).toBeGreaterThan(0);
  });
});
