import { describe, expect, it } from 'vitest';
import { parseOddsBody } from '../../../../connectors/the-odds-api/parse-odds.js';
import { parseScoresBody } from '../../../../connectors/the-odds-api/parse-scores.js';
import { simulator } from './helpers.js';

async function get(base: string, path: string, query: Record<string, string>) {
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('The Odds API simulator', () => {
  it('serves odds the connector parses, charging markets × regions', async () => {
    const sim = await simulator({ bookmakers: 8, sports: [{ key: 'basketball_nba', events: 5 }] });
    const res = await get(sim.url, '/v4/sports/basketball_nba/odds', {
      apiKey: sim.apiKey,
      regions: 'us,eu',
      markets: 'h2h,spreads,totals',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-requests-last')).toBe('6');
    expect(res.headers.get('x-requests-used')).toBe('6');
    const { books, failures } = parseOddsBody(res.text, { oddsFormat: 'decimal', receivedAt: Date.now() });
    expect(failures).toEqual([]);
    expect(new Set(books.map((b) => b.sourceEventId)).size).toBe(5);
    // Of the 8 bookmakers, 5 are in us or eu; 3 markets each.
    expect(books).toHaveLength(5 * 5 * 3);
    for (const book of books.filter((b) => b.marketType === 'h2h')) {
      const percentage = 100 * book.selections.reduce((sum, s) => sum + 1 / Number(s.price), 0);
      expect(percentage).toBeGreaterThanOrEqual(102);
      expect(percentage).toBeLessThanOrEqual(110);
    }
    for (const book of books.filter((b) => b.marketType === 'spreads')) {
      expect(book.selections[0]?.point).toBe(-(book.selections[1]?.point ?? NaN));
    }
    for (const book of books.filter((b) => b.marketType === 'totals')) {
      expect(book.selections.map((s) => s.name)).toEqual(['Over', 'Under']);
      expect(book.selections[0]?.point).toBe(book.selections[1]?.point);
    }
  });

  it('answers American odds and unix dates on request, and a three-way soccer h2h', async () => {
    const sim = await simulator({ sports: [{ key: 'soccer_epl', events: 3 }] });
    const res = await get(sim.url, '/v4/sports/soccer_epl/odds', {
      apiKey: sim.apiKey,
      regions: 'uk',
      oddsFormat: 'american',
      dateFormat: 'unix',
    });
    const events = JSON.parse(res.text) as Array<{
      commence_time: unknown;
      bookmakers: Array<{ markets: Array<{ outcomes: Array<{ name: string; price: number }> }> }>;
    }>;
    expect(typeof events[0]?.commence_time).toBe('number');
    const outcomes = events.flatMap((e) => e.bookmakers.flatMap((b) => b.markets.flatMap((m) => m.outcomes)));
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.every((o) => Number.isInteger(o.price) && Math.abs(o.price) >= 100)).toBe(true);
    expect(outcomes.some((o) => o.name === 'Draw')).toBe(true);
  });

  it('plays games through: upcoming with null scores, live, then completed with a winner', async () => {
    let now = 1_700_000_000_000;
    const sim = await simulator({
      now: () => now,
      sports: [{ key: 'basketball_nba', events: 2 }],
      firstStartMs: 1_000,
      startSpacingMs: 1_000,
      durationMs: 10_000,
      stepMs: 100,
    });
    const scores = async () => {
      const res = await get(sim.url, '/v4/sports/basketball_nba/scores', {
        apiKey: sim.apiKey,
        daysFrom: '1',
      });
      expect(res.headers.get('x-requests-last')).toBe('2');
      return parseScoresBody(res.text, now).results;
    };
    const before = await scores();
    expect(before.every((r) => !r.completed && r.scores.length === 0)).toBe(true);
    now += 5_000;
    const live = (await scores()).find((r) => r.scores.length > 0);
    expect(live?.completed).toBe(false);
    now += 20_000;
    const done = (await scores()).filter((r) => r.completed);
    expect(done.map((r) => r.sourceEventId).sort()).toEqual(before.map((r) => r.sourceEventId).sort());
    for (const r of done) expect(r.scores[0]?.score).not.toBe(r.scores[1]?.score);
    // Completed games leave the odds; new ones take their place.
    const odds = await get(sim.url, '/v4/sports/basketball_nba/odds', { apiKey: sim.apiKey, regions: 'us' });
    const ids = (JSON.parse(odds.text) as Array<{ id: string }>).map((e) => e.id);
    expect(ids).toHaveLength(2);
    expect(ids.some((id) => done.some((r) => r.sourceEventId === id))).toBe(false);
  });

  it('is the same world for the same seed', async () => {
    const now = () => 1_700_000_000_000;
    const a = await simulator({ seed: 7, now });
    const b = await simulator({ seed: 7, now });
    const query = (key: string) => ({ apiKey: key, regions: 'us', markets: 'h2h,totals' });
    const first = await get(a.url, '/v4/sports/basketball_nba/odds', query(a.apiKey));
    const second = await get(b.url, '/v4/sports/basketball_nba/odds', query(b.apiKey));
    expect(first.text).toBe(second.text);
  });

  it('answers errors like the provider, and the free endpoints cost nothing', async () => {
    const sim = await simulator({ quota: 3 });
    const sports = await get(sim.url, '/v4/sports', { apiKey: sim.apiKey });
    expect((JSON.parse(sports.text) as Array<{ key: string }>).map((s) => s.key)).toEqual([
      'basketball_nba',
      'soccer_epl',
    ]);
    const events = await get(sim.url, '/v4/sports/soccer_epl/events', { apiKey: sim.apiKey });
    expect(events.status).toBe(200);
    expect(sim.stats.quotaUsed).toBe(0);
    const code = async (path: string, query: Record<string, string>) => {
      const res = await get(sim.url, path, query);
      return [res.status, (JSON.parse(res.text) as { error_code: string }).error_code];
    };
    expect(await code('/v4/sports', {})).toEqual([401, 'MISSING_KEY']);
    expect(await code('/v4/sports', { apiKey: 'wrong' })).toEqual([401, 'INVALID_KEY']);
    expect(await code('/v4/sports/curling_x/odds', { apiKey: sim.apiKey, regions: 'us' })).toEqual([
      404,
      'UNKNOWN_SPORT',
    ]);
    expect(await code('/v4/sports/soccer_epl/odds', { apiKey: sim.apiKey })).toEqual([422, 'MISSING_REGION']);
    const odds = { apiKey: sim.apiKey, regions: 'us,uk', markets: 'h2h' };
    expect((await get(sim.url, '/v4/sports/soccer_epl/odds', odds)).status).toBe(200);
    expect(await code('/v4/sports/soccer_epl/odds', odds)).toEqual([401, 'OUT_OF_USAGE_CREDITS']);
    expect(sim.stats.quotaUsed).toBe(2);
  });

  it('injects faults at run time and counts what it served', async () => {
    const sim = await simulator();
    const odds = { apiKey: sim.apiKey, regions: 'us' };
    sim.setFaults({ rateLimit: 1, retryAfterSeconds: 2, serverError: 1, malformed: 1, drop: 1 });
    await expect(
      fetch(new URL(`/v4/sports/soccer_epl/odds?apiKey=${sim.apiKey}&regions=us`, sim.url)),
    ).rejects.toThrow();
    const limited = await get(sim.url, '/v4/sports/soccer_epl/odds', odds);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '2']);
    expect((await get(sim.url, '/v4/sports/soccer_epl/odds', odds)).status).toBe(500);
    const broken = await get(sim.url, '/v4/sports/soccer_epl/odds', odds);
    expect(broken.status).toBe(200);
    expect(() => JSON.parse(broken.text) as unknown).toThrow();
    sim.setFaults({ quotaExhausted: true });
    expect((await get(sim.url, '/v4/sports/soccer_epl/odds', odds)).status).toBe(401);
    expect((await get(sim.url, '/v4/sports', odds)).status).toBe(200);
    expect(sim.stats).toMatchObject({
      requests: 6,
      dropped: 1,
      byStatus: { 200: 2, 401: 1, 429: 1, 500: 1 },
    });
  });
});
