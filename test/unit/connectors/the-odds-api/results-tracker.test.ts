import { describe, expect, it } from 'vitest';
import type { RawResult } from '../../../../src/core/generated/avro-types.js';
import { parseScoresBody } from '../../../../connectors/the-odds-api/parse-scores.js';
import { createResultsTracker } from '../../../../connectors/the-odds-api/results-tracker.js';
import { fixture } from './fixtures.js';

function game(id: string, completed: boolean): RawResult {
  const body = JSON.stringify([
    {
      id,
      sport_key: 'basketball_nba',
      commence_time: '2027-01-14T00:40:00Z',
      completed,
      home_team: 'Denver Nuggets',
      away_team: 'Utah Jazz',
      scores: [
        { name: 'Denver Nuggets', score: completed ? '118' : '58' },
        { name: 'Utah Jazz', score: completed ? '102' : '51' },
      ],
      last_update: '2027-01-14T01:55:32Z',
    },
  ]);
  return parseScoresBody(body, 0).results[0]!;
}

/** What the connector does with each scores poll. */
function poll(tracker: ReturnType<typeof createResultsTracker>, results: RawResult[]): string[] {
  const fresh = tracker.newlyCompleted(results);
  tracker.markPublished(fresh);
  return fresh.map((r) => r.sourceEventId);
}

describe('results tracker', () => {
  it('emits a result on the completed false → true transition, once', () => {
    const tracker = createResultsTracker();
    expect(poll(tracker, [game('g1', false)])).toEqual([]);
    expect(poll(tracker, [game('g1', false)])).toEqual([]);
    expect(poll(tracker, [game('g1', true)])).toEqual(['g1']);
    expect(poll(tracker, [game('g1', true)])).toEqual([]);
  });

  it('emits events first seen already completed, and never the live ones', () => {
    const tracker = createResultsTracker();
    const { results } = parseScoresBody(fixture('sample_scores_basketball_nba.json'), 0);
    expect(poll(tracker, results)).toEqual(['a1f3c5e7a9b1c3d5e7f9a1b3c5d7e901']);
    expect(poll(tracker, results)).toEqual([]);
  });

  it('remembers nothing until published, so a failed publish is retried by the next poll', () => {
    const tracker = createResultsTracker();
    expect(tracker.newlyCompleted([game('g2', true)])).toHaveLength(1);
    expect(tracker.newlyCompleted([game('g2', true)])).toHaveLength(1);
    expect(tracker.size).toBe(0);
  });

  it('emits a duplicate id in one response once', () => {
    const tracker = createResultsTracker();
    expect(poll(tracker, [game('g3', true), game('g3', true)])).toEqual(['g3']);
  });

  it('keeps memory bounded, forgetting the oldest ids first', () => {
    const tracker = createResultsTracker(3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) poll(tracker, [game(id, true)]);
    expect(tracker.size).toBe(3);
    expect(poll(tracker, [game('e', true)])).toEqual([]);
    expect(poll(tracker, [game('a', true)])).toEqual(['a']);
  });
});
