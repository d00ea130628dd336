import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processStreamLines, readStreamFile } from '../../../connectors/betfair/stream-file.js';
import { readOddsApiFile } from '../../../connectors/the-odds-api/recording.js';
import { maxJsonDepth, nestedDeeperThan } from '../../../connectors/json-depth.js';
import { fieldMappingSchema } from '../../../connectors/ws-json/field-mapping.js';
import { parseFrame as parseWsFrame } from '../../../connectors/ws-json/parse.js';
import { simulatorFieldMapping } from '../../../connectors/ws-json/simulator.js';
import { emptyAliasTables } from '../../../processors/normalize/aliases.js';
import { canonicalMarket } from '../../../processors/normalize/market-id.js';
import { createNormalizeBookState, normalizeBook } from '../../../processors/normalize/normalize-book.js';
import { normalizeResult, parseScore } from '../../../processors/normalize/normalize-result.js';
import { maxTextLength } from '../../../processors/validate/raw-schemas.js';
import type { RawResult } from '../../../src/core/generated/avro-types.js';
import { rawBooks } from '../../helpers/raw-books.js';

// One test per bug the fuzzer found (test/fuzz), each failing before its fix.

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const options = { aliases: emptyAliasTables, now: () => 0 };
const book = () => rawBooks(1)[0]!;

describe('JSON nested thousands of levels deep', () => {
  it('is measured on the text, without recursion, brackets inside strings not counted', () => {
    expect(nestedDeeperThan('[[]]', 2)).toBe(false);
    expect(nestedDeeperThan('[[[]]]', 2)).toBe(true);
    expect(nestedDeeperThan('["[[[[", {"a": "\\"[[["}]', 2)).toBe(false);
    expect(nestedDeeperThan('["\\\\", [[1]]]', 2)).toBe(true);
    expect(nestedDeeperThan(deepArray(100_000))).toBe(true);
    expect(nestedDeeperThan(deepArray(maxJsonDepth))).toBe(false);
  });

  it('makes an Odds API response one dead letter instead of a stack overflow', () => {
    // Before: detectOddsFormat and JSON.stringify of the element recursed until RangeError.
    const response = `[{"id":"e1","sport_key":"basketball_nba","commence_time":1,"bookmakers":[],"last_update":${deepArray(10_000)}}]`;
    const chunks = [...readOddsApiFile(response, { receivedAt: 0 })];
    expect(chunks.map((c) => [c.position, c.books.length, c.failures.map((f) => f.reasonCode)])).toEqual([
      [1, 0, ['NESTING_TOO_DEEP']],
    ]);
    expect(chunks[0]?.failures[0]?.payload).toBe(response);
  });

  it('makes a Betfair stream line a dead letter', async () => {
    const line = `{"op":"mcm","pt":1,"mc":[{"id":"1.1","rc":[{"id":1,"x":${deepArray(10_000)}}]}]}`;
    const chunks = [];
    for await (const chunk of processStreamLines([line])) chunks.push(chunk);
    expect(chunks.map((c) => c.failures.map((f) => f.reasonCode))).toEqual([['NESTING_TOO_DEEP']]);
  });

  it('makes a ws-json frame a dead letter', () => {
    const frame = `{"type":"odds","event":{"id":${deepArray(10_000)}}}`;
    const outcome = parseWsFrame(frame, fieldMappingSchema.parse(simulatorFieldMapping), {
      provider: 'ws-json',
      receivedAt: 0,
    });
    expect(outcome.kind === 'failure' && outcome.failure.reasonCode).toBe('NESTING_TOO_DEEP');
  });
});

describe('times past the range of a Date', () => {
  it('reject the book with a SCHEMA issue instead of throwing from toISOString', () => {
    // 8.64e15 ms is the last instant a Date can hold; a Betfair `pt` of 8640000000000001 threw.
    const outcome = normalizeBook({ ...book(), eventTime: 8.64e15 + 1 }, options, createNormalizeBookState());
    expect(outcome.kind === 'rejected' && outcome.errors.map((e) => [e.path, e.code])).toEqual([
      ['eventTime', 'SCHEMA'],
    ]);
  });
});

describe('numbers beyond a double', () => {
  const result = (score: string): RawResult => ({
    provider: 'the-odds-api',
    sourceEventId: 'e1',
    sourceMarketId: null,
    sport: 'basketball_nba',
    competition: 'NBA',
    eventName: 'A v B',
    homeTeam: 'A',
    awayTeam: 'B',
    venue: null,
    raceNumber: null,
    startTime: 1_700_000_000_000,
    marketType: null,
    numberOfPlaces: null,
    completed: true,
    scores: [
      { name: 'A', score },
      { name: 'B', score: '1' },
    ],
    runners: [],
    eventTime: 1_700_000_000_000,
    receivedAt: 1_700_000_000_000,
    payload: '{}',
  });

  it('give no score rather than Infinity for a score of hundreds of digits', () => {
    expect(parseScore('9'.repeat(400))).toBeNull();
    const outcome = normalizeResult(result('9'.repeat(400)), options);
    expect(outcome.kind === 'result' && outcome.result.scores[0]).toMatchObject({
      score: null,
      rawScore: '9'.repeat(400),
    });
    expect(outcome.kind === 'result' && outcome.result.winners).toEqual([]);
  });

  it('give no line rather than Infinity for an OVER_UNDER type of hundreds of digits', () => {
    const selections = [
      { selectionId: 'over', point: 2.5, index: 0 },
      { selectionId: 'under', point: 2.5, index: 1 },
    ];
    const outcome = canonicalMarket(`OVER_UNDER_${'9'.repeat(400)}`, null, selections);
    expect(outcome.ok && outcome.market.line).toBeNull();
    expect(canonicalMarket('OVER_UNDER_25', null, selections)).toMatchObject({
      ok: true,
      market: { marketType: 'TOTAL', line: 2.5 },
    });
  });
});

describe('names of several megabytes', () => {
  it('are refused, so that no state of the chain keeps them', () => {
    // Before: a 4 MB team name became a 2 MB event id, a key of every state of the chain.
    const huge = 'x'.repeat(4 * 1024 * 1024);
    const outcome = normalizeBook({ ...book(), homeTeam: huge }, options, createNormalizeBookState());
    expect(outcome.kind === 'rejected' && outcome.errors.map((e) => [e.path, e.code])).toEqual([
      ['homeTeam', 'SCHEMA'],
    ]);
    const long = normalizeBook(
      { ...book(), competition: 'c'.repeat(maxTextLength) },
      options,
      createNormalizeBookState(),
    );
    expect(long.kind).toBe('book');
  });
});

describe('a stream file cut off inside a character', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'oddsflow-regressions-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('dead-letters the last line instead of dropping its bytes', async () => {
    // readline's own decoder never flushed: a last line of only a partial character vanished.
    const file = path.join(dir, 'cut.stream');
    writeFileSync(file, Buffer.concat([Buffer.from('{"op":"heartbeat"}\n'), Buffer.from([0xc3])]));
    const chunks = [];
    for await (const chunk of readStreamFile(file)) chunks.push(chunk);
    expect(chunks.map((c) => [c.line, c.failures.map((f) => [f.reasonCode, String(f.payload)])])).toEqual([
      [2, [['MALFORMED_JSON', '\ufffd']]],
    ]);
  });
});
