import { describe, expect, it } from 'vitest';
import { TradingBot, type BotRecord, type Decision } from '../../../examples/trading-bot-signals.js';
import { createEnrichStage } from '../../../processors/pipeline/enrich-stage.js';
import { createOfflineChain } from '../../../processors/pipeline/offline-chain.js';
import { createPrepareStage } from '../../../processors/pipeline/prepare-stage.js';
import { settingsSchema } from '../../../src/app/config/settings.js';
import type { RawMarketBook } from '../../../src/core/generated/avro-types.js';
import { pipelineOptions } from '../../../src/app/roles/processors.js';
import { rawBook, selection } from '../processors/normalize/raw-records.js';

const start = Date.parse('2027-01-15T20:00:00Z');
const t0 = start - 3_600_000;

/** Arsenal v Chelsea, two-way for simplicity: a bookmaker's back book or Betfair's back or lay book. */
function book(
  bookmaker: 'williamhill' | 'betfair',
  side: 'back' | 'lay',
  prices: [number, number],
  at: number,
  status = 'OPEN',
): RawMarketBook {
  const exchange = bookmaker === 'betfair';
  return rawBook({
    provider: exchange ? 'betfair' : 'the-odds-api',
    sourceEventId: exchange ? '32000001' : 'oa-ev-1',
    sourceMarketId: exchange ? '1.230000001' : 'h2h',
    sport: 'soccer_epl',
    homeTeam: 'Arsenal',
    awayTeam: 'Chelsea',
    startTime: start,
    marketType: exchange ? 'MATCH_ODDS' : 'h2h',
    bookmaker,
    side,
    status,
    marketBaseRate: exchange ? 5 : null,
    selections: [
      selection(
        'Arsenal',
        String(prices[0]),
        exchange ? { sourceSelectionId: '1001', handicap: 0, size: 500 } : {},
      ),
      selection(
        'Chelsea',
        String(prices[1]),
        exchange ? { sourceSelectionId: '1002', handicap: 0, size: 500 } : {},
      ),
    ],
    eventTime: at,
    receivedAt: at,
  });
}

/** The records the pipeline makes of `books`, in order, as the bot would read them. */
async function records(books: readonly RawMarketBook[]): Promise<BotRecord[]> {
  const now = () => t0;
  const options = await pipelineOptions(settingsSchema.parse({}), now);
  const chain = createOfflineChain(
    createPrepareStage(options.prepare),
    createEnrichStage(options.enrich),
    now,
  );
  return chain.books(books).flatMap((o): BotRecord[] => {
    if (o.type === 'market_book') {
      const { type: _, ...value } = o;
      return [{ topic: 'odds.normalized', value }];
    }
    if (o.type === 'pricing') {
      const { type: _, ...value } = o;
      return [{ topic: 'odds.pricing', value }];
    }
    return [];
  });
}

const decide = (bot: TradingBot, all: BotRecord[]): Decision[] => all.flatMap((r) => bot.update(r));

// Betfair backs Arsenal at 2.0 and lays at 2.04; William Hill misprices Arsenal at 2.3: back it
// there and lay it on Betfair (5 % commission): 2.3 / (1 + 1.04/0.95) − 1 = 9.9 %.
const market = [
  book('betfair', 'back', [2.0, 1.75], t0),
  book('betfair', 'lay', [2.04, 1.78], t0),
  book('williamhill', 'back', [2.3, 1.6], t0 + 1_000),
];

describe('the trading bot', () => {
  it('bets the best fresh arbitrage with orders named by the provider ids, and once only', async () => {
    const bot = new TradingBot({ bankroll: 100 });
    const decisions = decide(bot, await records(market));
    const bets = decisions.filter((d) => d.kind === 'bet');
    expect(bets).toHaveLength(1);
    const [bet] = bets;
    expect(bet).toMatchObject({
      kind: 'bet',
      arbitrage: 'back-lay',
      market: 'soccer/2027-01-15/arsenal~chelsea:H2H',
    });
    expect(bet?.kind === 'bet' && bet.profit).toBeCloseTo(2.3 / (1 + 1.04 / 0.95) - 1, 9);
    expect(bet?.kind === 'bet' && bet.orders).toEqual([
      {
        provider: 'the-odds-api',
        bookmaker: 'williamhill',
        side: 'back',
        sourceEventId: 'oa-ev-1',
        sourceMarketId: 'h2h',
        sourceSelectionId: 'Arsenal',
        handicap: null,
        odds: 2.3,
        stake: 100,
      },
      {
        provider: 'betfair',
        bookmaker: 'betfair',
        side: 'lay',
        sourceEventId: '32000001',
        sourceMarketId: '1.230000001',
        sourceSelectionId: '1001',
        handicap: 0,
        odds: 2.04,
        stake: Math.floor(((100 * 2.3) / (2.04 - 0.05)) * 100) / 100,
      },
    ]);
    // The same prices again: still open, not bet twice.
    expect(decide(bot, await records([book('williamhill', 'back', [2.3, 1.6], t0 + 2_000)]))).toEqual([]);
  });

  it('takes one arbitrage of a market at a time: the most profitable', async () => {
    // Betfair's back on Chelsea at 1.96 also makes a dutch with William Hill's 2.3 (4.4 %).
    const both = await records([
      book('betfair', 'back', [2.0, 1.96], t0),
      book('betfair', 'lay', [2.04, 2.0], t0),
      market[2]!,
    ]);
    const pricing = both.filter((r) => r.topic === 'odds.pricing').at(-1);
    expect(pricing?.topic === 'odds.pricing' && pricing.value.crossBook.backBack).not.toBeNull();
    const bets = decide(new TradingBot(), both);
    expect(bets.map((d) => d.kind === 'bet' && d.arbitrage)).toEqual(['back-lay']);
  });

  it('holds a book it bet on when it is suspended, takes nothing from it meanwhile, and resumes', async () => {
    const bot = new TradingBot({ bankroll: 100 });
    const all = await records([
      ...market,
      book('betfair', 'lay', [2.04, 1.78], t0 + 2_000, 'SUSPENDED'),
      book('williamhill', 'back', [2.32, 1.6], t0 + 3_000),
      book('betfair', 'lay', [2.04, 1.78], t0 + 4_000),
    ]);
    const kinds = decide(bot, all).map((d) =>
      d.kind === 'bet' ? `bet ${d.orders[0]!.odds}` : `${d.kind} ${d.bookmaker} ${d.side}`,
    );
    expect(kinds).toEqual(['bet 2.3', 'hold betfair lay', 'resume betfair lay', 'bet 2.32']);
  });

  it('leaves an arbitrage whose leg is older than it accepts, though the pipeline still combines it', async () => {
    const strict = new TradingBot({ bankroll: 100, maxQuoteAgeMs: { 'pre-match': 500, 'in-play': 500 } });
    const all = await records(market);
    const pricing = all.filter((r) => r.topic === 'odds.pricing').at(-1);
    expect(pricing?.topic === 'odds.pricing' && pricing.value.crossBook.arbitrage).toBe(true);
    expect(decide(strict, all)).toEqual([]);
    expect(decide(new TradingBot({ bankroll: 100 }), all).map((d) => d.kind)).toEqual(['bet']);
  });

  it('caps the stakes at what the exchange offers', async () => {
    const bot = new TradingBot({ bankroll: 10_000 });
    const [bet] = decide(bot, await records(market));
    const lay = bet?.kind === 'bet' ? bet.orders.find((o) => o.side === 'lay') : undefined;
    expect(lay?.stake).toBeLessThanOrEqual(500);
    expect(lay?.stake).toBeGreaterThan(490);
  });
});
