import { beforeAll, describe, expect, it } from 'vitest';
import { bundledAliasFiles, loadAliasTables } from '../../../../processors/normalize/aliases.js';
import { createNormalizeBookState, normalizeBook } from '../../../../processors/normalize/normalize-book.js';
import {
  normalizeResult,
  parseScore,
  type NormalizeResultOptions,
  type ResultOutcome,
} from '../../../../processors/normalize/normalize-result.js';
import type { Result } from '../../../../src/core/generated/avro-types.js';
import {
  betfairBook,
  betfairMessages,
  betfairResult,
  oddsApiEvents,
  oddsApiResult,
  rawBook,
  rawResult,
} from './raw-records.js';

const NOW = Date.parse('2030-01-01T00:00:00Z');
let options: NormalizeResultOptions;
beforeAll(async () => {
  options = { aliases: await loadAliasTables(bundledAliasFiles), now: () => NOW };
});

function resultOf(outcome: ResultOutcome): Result {
  if (outcome.kind !== 'result') throw new Error(`expected a result, got ${JSON.stringify(outcome)}`);
  return outcome.result;
}

function bookIds(raw: Parameters<typeof normalizeBook>[0]): {
  eventId: string;
  marketId: string;
  selectionIds: string[];
} {
  const outcome = normalizeBook(raw, { ...options }, createNormalizeBookState());
  if (outcome.kind !== 'book') throw new Error(JSON.stringify(outcome));
  return { ...outcome.book, selectionIds: outcome.book.selections.map((s) => s.selectionId) };
}

describe('normalizeResult: scores', () => {
  it('normalizes a completed game: numeric scores with the raw string, the winner, the books’ ids', () => {
    const [event] = oddsApiEvents('oddsapi-scores-nba.json');
    const raw = oddsApiResult(event!);
    expect(resultOf(normalizeResult(raw, options))).toEqual({
      eventId: 'basketball/2022-02-06/oklahoma-city-thunder~sacramento-kings',
      marketId: null,
      sport: 'basketball-nba',
      eventName: null,
      startTime: Date.parse('2022-02-06T03:10:38Z'),
      provider: 'the-odds-api',
      scores: [
        { selectionId: 'sacramento-kings', name: 'Sacramento Kings', score: 113, rawScore: '113' },
        { selectionId: 'oklahoma-city-thunder', name: 'Oklahoma City Thunder', score: 103, rawScore: '103' },
      ],
      placings: [],
      winners: ['sacramento-kings'],
      settledAt: Date.parse('2022-02-06T05:18:19Z'),
      processedAt: NOW,
    });
    const book = rawBook({
      sport: raw.sport,
      homeTeam: raw.homeTeam,
      awayTeam: raw.awayTeam,
      startTime: raw.startTime,
      eventTime: raw.eventTime - 7_200_000,
    });
    expect(bookIds(book).eventId).toBe(resultOf(normalizeResult(raw, options)).eventId);
  });

  it('leaves winners empty for a draw or a score that is not a number', () => {
    const draw = rawResult({
      scores: [
        { name: 'Boston Celtics', score: '100' },
        { name: 'Miami Heat', score: '100' },
      ],
    });
    expect(resultOf(normalizeResult(draw, options)).winners).toEqual([]);
    const cricket = rawResult({
      scores: [
        { name: 'Boston Celtics', score: '287/6' },
        { name: 'Miami Heat', score: '120' },
      ],
    });
    const result = resultOf(normalizeResult(cricket, options));
    expect(result.winners).toEqual([]);
    expect(result.scores[0]).toMatchObject({ score: null, rawScore: '287/6' });
    expect([parseScore(' 7 '), parseScore('1.5'), parseScore(''), parseScore('Infinity')]).toEqual([
      7,
      1.5,
      null,
      null,
    ]);
  });

  it('rejects a live game (completed: false) as RESULT_NOT_COMPLETED at the results stage', () => {
    const live = oddsApiEvents('oddsapi-scores-nba.json').find((e) => e.completed === false && e.scores);
    expect(normalizeResult(oddsApiResult(live!), options)).toEqual({
      kind: 'rejected',
      stage: 'results',
      reasonCode: 'RESULT_NOT_COMPLETED',
      errors: [
        {
          path: 'completed',
          code: 'RESULT_NOT_COMPLETED',
          message: 'the provider has not completed the event',
        },
      ],
    });
  });

  it('rejects blank and duplicate names and unreadable records with every issue', () => {
    const bad = rawResult({
      scores: [
        { name: ' ', score: '1' },
        { name: 'Miami Heat', score: '2' },
        { name: 'miami heat', score: '3' },
      ],
    });
    const outcome = normalizeResult(bad, options);
    expect(outcome.kind === 'rejected' && outcome.errors.map((e) => [e.path, e.code])).toEqual([
      ['scores[0].name', 'EMPTY_NAME'],
      ['scores[2]', 'DUPLICATE_SELECTION'],
    ]);
    expect(normalizeResult({ ...rawResult(), completed: 'yes' }, options)).toMatchObject({
      reasonCode: 'SCHEMA',
    });
  });
});

describe('normalizeResult: settled Betfair markets', () => {
  it('gives a settled place market the ids of its books, with placings and the three placed winners', () => {
    const [first, last] = betfairMessages('betfair-1.205822330.first-last.jsonl');
    const book = bookIds(betfairBook(first!, 'back'));
    const result = resultOf(normalizeResult(betfairResult(last!), options));
    expect(result.eventId).toBe(book.eventId);
    expect(result.marketId).toBe('PLACE@3');
    expect(result.marketId).toBe(book.marketId);
    expect(result.winners).toEqual(['realaide', 'daulat-machtigamor', 'birkin-black']);
    expect(result.winners.every((w) => book.selectionIds.includes(w))).toBe(true);
    expect(result.placings.filter((p) => p.status === 'REMOVED').map((p) => p.selectionId)).toEqual([
      'gap-year',
      'frozen-prince',
      'claudius',
    ]);
    expect(result.settledAt).toBe(1667268150590);
  });

  it('names unnamed runners as the books do (cricket MATCH_ODDS, horse WIN)', () => {
    for (const file of ['betfair-1.200806927.first-last.jsonl', 'betfair-1.185781277.first-last.jsonl']) {
      const [first, last] = betfairMessages(file);
      const book = bookIds(betfairBook(first!, 'back'));
      const result = resultOf(normalizeResult(betfairResult(last!), options));
      expect([result.eventId, result.marketId]).toEqual([book.eventId, book.marketId]);
      expect(result.winners).toHaveLength(1);
      expect(book.selectionIds).toContain(result.winners[0]);
    }
  });

  it('counts PLACED runners as winners of a place market only', () => {
    const runners = [
      { sourceSelectionId: '1', name: '1. Alpha', status: 'WINNER', bsp: null },
      { sourceSelectionId: '2', name: '2. Beta', status: 'PLACED', bsp: null },
      { sourceSelectionId: '3', name: '3. Gamma', status: 'LOSER', bsp: null },
    ];
    const race = {
      provider: 'ws-json',
      sport: 'greyhounds',
      homeTeam: null,
      awayTeam: null,
      venue: 'Romford',
      scores: [],
      runners,
    };
    expect(
      resultOf(normalizeResult(rawResult({ ...race, marketType: 'PLACE', numberOfPlaces: 2 }), options))
        .winners,
    ).toEqual(['alpha', 'beta']);
    expect(resultOf(normalizeResult(rawResult({ ...race, marketType: 'WIN' }), options)).winners).toEqual([
      'alpha',
    ]);
  });

  it('is idempotent: the same record gives the same result', () => {
    const [, last] = betfairMessages('betfair-1.205822330.first-last.jsonl');
    const raw = betfairResult(last!);
    expect(normalizeResult(structuredClone(raw), options)).toEqual(normalizeResult(raw, options));
  });
});
