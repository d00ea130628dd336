import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { packageRoot } from '../../src/core/config/paths.js';

/** The four provider payload formats the fuzzer feeds through `transform`'s path. */
export const fuzzFormats = ['odds', 'scores', 'betfair', 'ws-json'] as const;
export type FuzzFormat = (typeof fuzzFormats)[number];

/** How each format is read: line-based formats are fuzzed line by line as well as as a whole. */
export const lineBased: Record<FuzzFormat, boolean> = {
  odds: false,
  scores: false,
  betfair: true,
  'ws-json': true,
};

const fixtures = path.join(packageRoot, 'test/fixtures');

function fixture(file: string): string {
  return readFileSync(path.join(fixtures, file), 'utf8');
}

/** A pretty-printed JSON document as one line, as a WebSocket frame carries it. */
function compact(text: string): string {
  return JSON.stringify(JSON.parse(text));
}

/** The first `count` lines of a gzipped recording. */
function firstLines(file: string, count: number): string {
  return gunzipSync(readFileSync(path.join(fixtures, file)))
    .toString('utf8')
    .split('\n')
    .slice(0, count)
    .join('\n');
}

function wsJsonSamples(): string[] {
  const racing = compact(fixture('ws-json/simulator.racing-win.json'));
  const frame = JSON.parse(racing) as Record<string, unknown> & { seq: number };
  // A team market from a decimal bookmaker, in the simulator's shape, beside the racing frame.
  const team = {
    ...frame,
    seq: frame.seq + 1,
    event: {
      id: 'sim-soccer-3',
      name: 'Arsenal v Chelsea',
      sport: 'soccer',
      league: 'Premier League',
      startsAt: '2026-03-14T15:00:00.000Z',
      home: 'Arsenal',
      away: 'Chelsea',
      live: false,
    },
    market: { id: 'sim-soccer-3:h2h', key: 'h2h', name: 'Match Odds', status: 'open', places: null },
    bookmaker: { key: 'northbet', format: 'decimal' },
    outcomes: [
      { id: 'sim-soccer-3:home', name: 'Arsenal', price: 2.1, status: 'active' },
      { id: 'sim-soccer-3:draw', name: 'Draw', price: '3.4', status: 'active' },
      { id: 'sim-soccer-3:away', name: 'Chelsea', price: 3.6, status: 'active' },
    ],
  };
  const heartbeat = JSON.stringify({ type: 'heartbeat', ts: frame.ts });
  return [racing, [racing, heartbeat, JSON.stringify(team)].join('\n'), JSON.stringify(team)];
}

/**
 * Valid payloads of each format, from the fixtures of test/fixtures (real recordings where the
 * project has them); the fuzzer mutates these, so every input starts one mistake away from data
 * the chain accepts.
 */
export function loadSamples(format: FuzzFormat): string[] {
  switch (format) {
    case 'odds':
      return [
        fixture('the-odds-api/sample_odds_basketball_nba_decimal.json'),
        fixture('the-odds-api/handmade_odds_invalid_records.json'),
        fixture('processors/oddsapi-serie-a-decimal.first-event.json'),
        fixture('processors/oddsapi-nba-american.first-event.json'),
        fixture('processors/oddsapi-nfl-spreads-totals.first-events.json'),
        fixture('processors/oddsapi-mlb-world-series-outrights.json'),
        fixture('the-odds-api/oddsapi_americanfootball_nfl_inplay_spreads_totals_decimal_unixdates.json'),
      ];
    case 'scores':
      return [
        fixture('the-odds-api/sample_scores_basketball_nba.json'),
        fixture('the-odds-api/oddsapi_scores_basketball_nba_docs_example.json'),
        fixture('the-odds-api/oddsapi_scores_americanfootball_nfl_unixdates.json'),
      ];
    case 'betfair':
      return [
        fixture('betfair/greyhound-win.stream'),
        fixture('processors/betfair-1.185781277.first-last.jsonl'),
        fixture('processors/betfair-1.200806927.first-last.jsonl'),
        fixture('processors/betfair-1.205822330.first-last.jsonl'),
        firstLines('betfair/1.205822330.gz', 12),
      ];
    case 'ws-json':
      return wsJsonSamples();
  }
}
