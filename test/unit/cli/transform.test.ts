import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/core/config/paths.js';

const fixtures = path.join(packageRoot, 'test/fixtures');

function transform(args: string[], input?: string) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(packageRoot, 'src/app/cli/main.ts'), 'transform', ...args],
    {
      cwd: packageRoot,
      env: { PATH: process.env.PATH ?? '', ODDSFLOW_LOG_LEVEL: 'silent' },
      input,
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const lines = result.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown> & { type: string });
  return { status: result.status, stderr: result.stderr, lines };
}

interface PricingLine {
  type: 'pricing';
  eventId: string;
  marketId: string;
  bookmaker: string;
  side: string;
  overround: number;
  method: string;
  selections: {
    selectionId: string;
    name: string | null;
    decimalOdds: number;
    impliedProbability: number;
    fairProbability: number;
  }[];
}

describe('oddsflow transform', () => {
  it('prints market books and pricing for an Odds API odds response, with the worked overrounds', () => {
    const { status, lines } = transform([
      '--provider',
      'the-odds-api',
      '--file',
      path.join(fixtures, 'the-odds-api/sample_odds_basketball_nba_decimal.json'),
    ]);
    expect(status).toBe(0);
    expect(new Set(lines.map((l) => l.type))).toEqual(new Set(['market_book', 'pricing']));
    const pricing = lines.filter((l): l is PricingLine & typeof l => l.type === 'pricing');
    const h2h = (bookmaker: string) =>
      pricing.find((p) => p.bookmaker === bookmaker && p.marketId === 'H2H')!;
    // ../shared/fixtures/README.md: DraftKings h2h 0.047009, FanDuel h2h 0.041860
    expect(h2h('draftkings').overround).toBeCloseTo(0.047009, 6);
    expect(h2h('fanduel').overround).toBeCloseTo(0.04186, 6);
    for (const p of pricing) {
      expect(p).toMatchObject({ side: 'back', method: 'multiplicative' });
      expect(p.eventId).not.toContain(':');
      const fairSum = p.selections.reduce((s, x) => s + x.fairProbability, 0);
      expect(fairSum).toBeCloseTo(1, 12);
      for (const s of p.selections) expect(s.impliedProbability).toBeCloseTo(1 / s.decimalOdds, 15);
    }
  });

  it('uses the margin method given by --method', () => {
    const { lines } = transform([
      '--provider',
      'the-odds-api',
      '--method',
      'shin',
      '--file',
      path.join(fixtures, 'the-odds-api/sample_odds_basketball_nba_decimal.json'),
    ]);
    const pricing = lines.filter((l) => l.type === 'pricing');
    expect(pricing.length).toBeGreaterThan(0);
    expect(pricing.every((p) => p.method === 'shin')).toBe(true);
  });

  it('turns invalid records into dead letters with every error path and keeps the valid ones', () => {
    const { status, lines } = transform([
      '--provider',
      'the-odds-api',
      '--file',
      path.join(fixtures, 'the-odds-api/handmade_odds_invalid_records.json'),
    ]);
    expect(status).toBe(0);
    const letters = lines.filter((l) => l.type === 'dead_letter') as unknown as {
      reasonCode: string;
      errors: { path: string }[];
      originalValue: { base64: string };
    }[];
    expect(letters.length).toBeGreaterThan(0);
    for (const letter of letters) {
      expect(letter.errors.length).toBeGreaterThan(0);
      expect(Buffer.from(letter.originalValue.base64, 'base64').length).toBeGreaterThan(0);
    }
    expect(lines.some((l) => l.type === 'pricing')).toBe(true);
  });

  it('prints results for a scores response (completed events only)', () => {
    const { status, lines } = transform([
      '--provider',
      'the-odds-api',
      '--file',
      path.join(fixtures, 'the-odds-api/oddsapi_scores_basketball_nba_docs_example.json'),
    ]);
    expect(status).toBe(0);
    const results = lines.filter((l) => l.type === 'result');
    expect(results.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.type === 'result')).toBe(true);
  });

  it('runs a recorded Betfair stream (gzipped) through the cache to books, pricing and the result, with no dead letter', () => {
    const { status, lines } = transform([
      '--provider',
      'betfair',
      '--file',
      path.join(fixtures, 'betfair/1.205822330.gz'),
    ]);
    expect(status).toBe(0);
    const types = lines.map((l) => l.type);
    expect(types.filter((t) => t === 'dead_letter')).toHaveLength(0);
    expect(types.filter((t) => t === 'result')).toHaveLength(1);
    const pricing = lines.filter((l) => l.type === 'pricing') as unknown as PricingLine[];
    expect(pricing.length).toBeGreaterThan(1000);
    // a PLACE market paying 3: fair probabilities sum to the places paid
    const book = pricing.find((p) => p.side === 'back' && p.selections.length > 3)!;
    expect(book.marketId).toMatch(/^PLACE@3$/);
    expect(book.selections.reduce((s, x) => s + x.fairProbability, 0)).toBeCloseTo(3, 9);
    const result = lines.find((l) => l.type === 'result') as unknown as {
      winners: string[];
      placings: { status: string }[];
    };
    expect(result.winners.length).toBeGreaterThan(0);
  });

  it('reads stdin, and exits 1 with one line when nothing at all can be read', () => {
    const { status, stderr, lines } = transform(['--provider', 'the-odds-api'], 'this is not json');
    expect(status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.type).toBe('dead_letter');
    expect(stderr).toMatch(/INPUT_UNREADABLE: nothing could be read from stdin/);
  });

  it('rejects an unknown provider before reading anything', () => {
    const { status, stderr } = transform(['--provider', 'nope']);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/--provider/);
  });

  describe('quotes of one phase and age only (issue 13)', () => {
    interface CrossBookLine {
      type: 'pricing';
      bookmaker: string;
      startTime: number | null;
      crossBook: {
        phase: string;
        arbitrage: boolean;
        bookLeftOut: string | null;
        selections: { bestBookmaker: string; quoteTime: number; ageMs: number }[];
      };
    }
    const pricingOf = (file: string) =>
      transform([
        '--provider',
        'the-odds-api',
        '--file',
        path.join(fixtures, 'the-odds-api', file),
      ]).lines.filter((l): l is CrossBookLine & typeof l => l.type === 'pricing');

    it('never flags arbitrage across phases or ages, and takes best prices from the phase only', () => {
      const pricing = pricingOf('handmade_odds_mixed_phases_ages.json');
      expect(pricing.map((p) => [p.bookmaker, p.crossBook.phase, p.crossBook.bookLeftOut])).toEqual([
        ['pinnacle', 'pre-match', null],
        ['betfair_ex_uk', 'pre-match', null],
        ['bet365', 'in-play', null],
        ['williamhill', 'in-play', 'stale'],
        ['unibet', 'in-play', null],
        ['skewedclock', 'in-play', 'future'],
      ]);
      expect(pricing.filter((p) => p.crossBook.arbitrage)).toEqual([]);
      for (const p of pricing.slice(2)) {
        expect(new Set(p.crossBook.selections.map((s) => s.bestBookmaker))).toEqual(new Set(['bet365']));
      }
    });

    it.each([
      'oddsapi_basketball_nba_h2h_spreads_totals_h2hlay_american.json',
      'oddsapi_soccer_multileague_inplay_h2h_h2hlay_decimal.json',
      'oddsapi_upcoming_multisport_inplay_h2h_american.json',
    ])('%s (real): every best price is of the phase of its market and fresh', (file) => {
      const pricing = pricingOf(file);
      expect(pricing.length).toBeGreaterThan(100);
      let inPlay = 0;
      for (const p of pricing) {
        for (const s of p.crossBook.selections) {
          if (p.startTime === null) continue;
          if (p.crossBook.phase === 'in-play') {
            inPlay++;
            expect(s.quoteTime).toBeGreaterThanOrEqual(p.startTime);
            expect(s.ageMs).toBeLessThanOrEqual(90_000);
          } else {
            expect(s.quoteTime).toBeLessThan(p.startTime);
            expect(s.ageMs).toBeLessThanOrEqual(3_600_000);
          }
        }
      }
      expect(inPlay).toBeGreaterThan(0);
    });
  });
});
