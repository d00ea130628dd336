import { describe, expect, it } from 'vitest';
import {
  eventsResponseSchema,
  oddsResponseSchema,
  providerTime,
  scoresResponseSchema,
  sportsResponseSchema,
} from '../../../../connectors/the-odds-api/responses.js';
import { fixture } from './fixtures.js';

describe('providerTime', () => {
  it('reads ISO strings and unix seconds as the same epoch ms', () => {
    expect(providerTime.parse('2021-11-20T14:00:00Z')).toBe(Date.UTC(2021, 10, 20, 14));
    expect(providerTime.parse(1637416800)).toBe(Date.UTC(2021, 10, 20, 14));
    expect(providerTime.parse('2021-11-20T15:00:00+01:00')).toBe(Date.UTC(2021, 10, 20, 14));
  });

  it('rejects what is neither', () => {
    expect(providerTime.safeParse('20 Nov 2021').success).toBe(false);
    expect(providerTime.safeParse(-5).success).toBe(false);
    expect(providerTime.safeParse(null).success).toBe(false);
  });
});

describe('response schemas', () => {
  it('parse every recorded odds response whole, ignoring fields they do not know', () => {
    const nba = oddsResponseSchema.parse(
      JSON.parse(fixture('oddsapi_basketball_nba_h2h_spreads_totals_h2hlay_american.json')),
    );
    expect(nba).toHaveLength(14);
    expect(nba[0]).not.toHaveProperty('odds');
    expect(nba[0]?.commence_time).toBe(Date.parse('2022-11-23T00:32:18Z'));
  });

  it('parse scores with null scores before the start and string scores after', () => {
    const scores = scoresResponseSchema.parse(
      JSON.parse(fixture('oddsapi_scores_americanfootball_nfl_unixdates.json')),
    );
    expect(scores[0]?.scores?.[0]).toEqual({ name: 'Washington Commanders', score: '18' });
    expect(scores[0]?.last_update).toBe(1731663957_000);
    expect(scores[1]?.scores).toBeNull();
    expect(scores[1]?.last_update).toBeNull();
  });

  it('reject a numeric score, which the provider never sends', () => {
    const bad = [
      { id: 'a', sport_key: 's', commence_time: 1, completed: true, scores: [{ name: 'A', score: 3 }] },
    ];
    const result = scoresResponseSchema.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([0, 'scores', 0, 'score']);
  });

  it('parse the free sports and events endpoints', () => {
    const sports = sportsResponseSchema.parse([
      {
        key: 'americanfootball_nfl',
        group: 'American Football',
        title: 'NFL',
        description: 'US Football',
        active: true,
        has_outrights: false,
        extra: 1,
      },
    ]);
    expect(sports[0]).toEqual({
      key: 'americanfootball_nfl',
      group: 'American Football',
      title: 'NFL',
      description: 'US Football',
      active: true,
      has_outrights: false,
    });
    const events = eventsResponseSchema.parse([
      {
        id: 'e1',
        sport_key: 'basketball_nba',
        sport_title: 'NBA',
        commence_time: '2027-01-15T00:10:00Z',
        home_team: 'A',
        away_team: 'B',
      },
    ]);
    expect(events[0]?.commence_time).toBe(Date.parse('2027-01-15T00:10:00Z'));
  });
});
