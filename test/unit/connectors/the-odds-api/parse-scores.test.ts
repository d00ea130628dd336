import { describe, expect, it } from 'vitest';
import { parseScoresBody } from '../../../../connectors/the-odds-api/parse-scores.js';
import { fixture } from './fixtures.js';

const receivedAt = Date.parse('2030-01-01T00:00:00Z');

describe('parseScoresBody', () => {
  it('reads the documentation sample: completed, live and upcoming games', () => {
    const { results, failures } = parseScoresBody(
      fixture('oddsapi_scores_basketball_nba_docs_example.json'),
      receivedAt,
    );
    expect(failures).toEqual([]);
    expect(results.map((r) => r.completed)).toEqual([true, true, false, false]);
    expect(results[0]).toMatchObject({
      provider: 'the-odds-api',
      sourceEventId: '572d984e132eddaac3da93e5db332e7e',
      sport: 'basketball_nba',
      homeTeam: 'Sacramento Kings',
      awayTeam: 'Oklahoma City Thunder',
      scores: [
        { name: 'Sacramento Kings', score: '113' },
        { name: 'Oklahoma City Thunder', score: '103' },
      ],
      eventTime: Date.parse('2022-02-06T05:18:19Z'),
      receivedAt,
    });
    // The live game has scores but is not completed; the upcoming one has none.
    expect(results[2]?.scores.length).toBe(2);
    expect(results[3]?.scores).toEqual([]);
    expect(results[3]?.eventTime).toBe(receivedAt);
  });

  it('reads unix dates', () => {
    const { results } = parseScoresBody(
      fixture('oddsapi_scores_americanfootball_nfl_unixdates.json'),
      receivedAt,
    );
    expect(results).toHaveLength(27);
    expect(results[0]?.startTime).toBe(1731633300_000);
    expect(results.filter((r) => r.completed)).toHaveLength(1);
  });

  it('keeps each event JSON as its payload and fails malformed events alone', () => {
    const body = JSON.stringify([
      {
        id: 'ok',
        sport_key: 'soccer_epl',
        commence_time: 1,
        completed: false,
        scores: null,
        last_update: null,
        x: 1,
      },
      { id: 'bad', sport_key: 'soccer_epl', commence_time: 1, completed: 'yes' },
    ]);
    const { results, failures } = parseScoresBody(body, receivedAt);
    expect(results.map((r) => r.sourceEventId)).toEqual(['ok']);
    expect(JSON.parse(results[0]!.payload)).toHaveProperty('x', 1);
    expect(failures[0]?.errors.map((e) => [e.path, e.code])).toEqual([['[1].completed', 'invalid_type']]);
    expect(failures[0]?.errors[0]?.message).toMatch(/boolean/);
  });

  it('dead-letters a body that is not JSON', () => {
    const { failures } = parseScoresBody('<html>502</html>', receivedAt);
    expect(failures[0]).toMatchObject({ reasonCode: 'MALFORMED_JSON', payload: '<html>502</html>' });
  });
});
