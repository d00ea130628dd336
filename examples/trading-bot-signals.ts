import type {
  ArbitrageStake,
  BackBackArbitrage,
  BackLayArbitrage,
  MarketBook,
  MarketPricing,
} from '../src/core/generated/avro-types.js';

/**
 * The trading bot's decisions as a pure function of the records it reads, in order: no clock, no
 * I/O. `examples/trading-bot.ts` feeds it from Kafka; a backtest can feed it the same records from
 * a file and get the same decisions.
 */
export type BotRecord =
  { topic: 'odds.normalized'; value: MarketBook } | { topic: 'odds.pricing'; value: MarketPricing };

/** One bet to place, named as the provider needs it: event, market, selection and handicap ids. */
export interface Order {
  provider: string;
  bookmaker: string;
  side: 'back' | 'lay';
  sourceEventId: string;
  sourceMarketId: string;
  sourceSelectionId: string;
  handicap: number | null;
  /** The price to ask for: as quoted, before commission. */
  odds: number;
  stake: number;
}

export type Decision =
  /** Take an arbitrage: every order at once, or none. */
  | { kind: 'bet'; market: string; arbitrage: 'back-back' | 'back-lay'; profit: number; orders: Order[] }
  /** A book the bot traded on stopped taking bets: cancel what is unmatched there, trade none of it. */
  | { kind: 'hold'; market: string; bookmaker: string; side: string; status: string }
  /** The book takes bets again. */
  | { kind: 'resume'; market: string; bookmaker: string; side: string };

export interface BotOptions {
  /** Money per arbitrage (the total stake of a dutch, the back stake of a back-versus-lay). */
  bankroll: number;
  /** The smallest guaranteed return worth the risk of one leg failing. */
  minProfit: number;
  /**
   * The oldest a leg's quote may be, behind the market's newest price. Stricter than the
   * pipeline's own limits (docs/odds-math.md section 6): a bot stakes money on it.
   */
  maxQuoteAgeMs: { 'pre-match': number; 'in-play': number };
}

export const defaultBotOptions: BotOptions = {
  bankroll: 100,
  minProfit: 0.005,
  maxQuoteAgeMs: { 'pre-match': 5 * 60_000, 'in-play': 5_000 },
};

const bookKey = (bookmaker: string, side: string) => `${bookmaker}|${side}`;

/**
 * Decides from odds.normalized (book status) and odds.pricing (cross-book state) what to bet:
 * - only arbitrages after commission whose every leg is an OPEN book's fresh quote of the
 *   market's phase (the pipeline already combines nothing else; the bot also checks its own,
 *   stricter age, and that no leg's book was seen suspended since);
 * - each opening once: the same arbitrage seen again is not bet twice; once it closes, a new one is;
 * - a book it bet on that turns SUSPENDED or CLOSED is held (cancel what is unmatched there).
 */
export class TradingBot {
  private readonly options: BotOptions;
  /** market → books (bookmaker|side) not taking bets now. */
  private readonly closedBooks = new Map<string, Map<string, string>>();
  /** market → books the bot has bet on. */
  private readonly tradedBooks = new Map<string, Set<string>>();
  /** market → signatures of the arbitrages open at its last pricing record. */
  private readonly openArbitrages = new Map<string, Set<string>>();

  constructor(options: Partial<BotOptions> = {}) {
    this.options = { ...defaultBotOptions, ...options };
  }

  update(record: BotRecord): Decision[] {
    return record.topic === 'odds.normalized' ? this.onBook(record.value) : this.onPricing(record.value);
  }

  private onBook(book: MarketBook): Decision[] {
    const market = `${book.eventId}:${book.marketId}`;
    const key = bookKey(book.bookmaker, book.side);
    const closed = this.closedBooks.get(market) ?? new Map<string, string>();
    this.closedBooks.set(market, closed);
    const traded = this.tradedBooks.get(market)?.has(key) ?? false;
    const common = { market, bookmaker: book.bookmaker, side: book.side };
    if (book.status !== 'OPEN') {
      const first = !closed.has(key);
      closed.set(key, book.status);
      return first && traded ? [{ kind: 'hold', ...common, status: book.status }] : [];
    }
    const wasClosed = closed.delete(key);
    return wasClosed && traded ? [{ kind: 'resume', ...common }] : [];
  }

  private onPricing(pricing: MarketPricing): Decision[] {
    const market = `${pricing.eventId}:${pricing.marketId}`;
    const { crossBook } = pricing;
    const candidates: Candidate[] = [
      ...(crossBook.backBack === null
        ? []
        : [
            candidate(
              'back-back',
              crossBook.backBack.profit,
              backBackLegs(crossBook.backBack, this.options.bankroll),
            ),
          ]),
      ...crossBook.backLay.map((b) => candidate('back-lay', b.profit, backLayLegs(b, this.options.bankroll))),
    ];
    const taken = this.openArbitrages.get(market) ?? new Set<string>();
    this.openArbitrages.set(market, new Set(candidates.map((c) => c.signature)));
    // One arbitrage of a market at a time, the most profitable: two that share a leg would
    // double the exposure on it. One already taken and still open is not bet twice.
    const best = candidates
      .filter((c) => !taken.has(c.signature) && c.profit >= this.options.minProfit)
      .filter((c) => c.legs.every((l) => this.takeable(market, pricing, l)))
      .map((c) => ({ ...c, orders: c.legs.map((l) => this.order(l)) }))
      .filter((c): c is typeof c & { orders: Order[] } => c.orders.every((o) => o !== undefined))
      .sort((a, b) => b.profit - a.profit)[0];
    if (best === undefined) return [];
    const traded = this.tradedBooks.get(market) ?? new Set<string>();
    for (const l of best.legs) traded.add(bookKey(l.stake.bookmaker, l.side));
    this.tradedBooks.set(market, traded);
    return [{ kind: 'bet', market, arbitrage: best.kind, profit: best.profit, orders: best.orders }];
  }

  /** Fresh enough for the bot, of a book not seen closed, and within what the exchange offers. */
  private takeable(market: string, pricing: MarketPricing, leg: Leg): boolean {
    const { crossBook } = pricing;
    if (this.closedBooks.get(market)?.has(bookKey(leg.stake.bookmaker, leg.side))) return false;
    const phase = crossBook.phase === 'in-play' ? 'in-play' : 'pre-match';
    const asOf = crossBook.asOf;
    if (asOf === null || leg.stake.quoteTime === null) return false; // written before ages existed
    if (asOf - leg.stake.quoteTime > this.options.maxQuoteAgeMs[phase]) return false;
    return leg.stake.size === null || leg.amount <= leg.stake.size;
  }

  /** The provider's ids of the leg: without them no bet can be placed. */
  private order(leg: Leg): Order | undefined {
    const s = leg.stake;
    if (s.sourceEventId === null || s.sourceMarketId === null || s.sourceSelectionId === null)
      return undefined;
    return {
      provider: s.provider,
      bookmaker: s.bookmaker,
      side: leg.side,
      sourceEventId: s.sourceEventId,
      sourceMarketId: s.sourceMarketId,
      sourceSelectionId: s.sourceSelectionId,
      handicap: s.handicap,
      odds: s.odds,
      stake: round2(leg.amount),
    };
  }
}

interface Candidate {
  kind: 'back-back' | 'back-lay';
  profit: number;
  legs: Leg[];
  /** What makes two records' arbitrages the same one: its legs' books, selections and prices. */
  signature: string;
}

function candidate(kind: Candidate['kind'], profit: number, legs: Leg[]): Candidate {
  const signature = legs.map((l) => `${l.side}:${l.stake.bookmaker}:${l.stake.selectionId}:${l.stake.odds}`);
  return { kind, profit, legs, signature: `${kind}:${signature.join(',')}` };
}

interface Leg {
  side: 'back' | 'lay';
  stake: ArbitrageStake;
  /** Money on this leg (a lay leg: the backer's stake laid). */
  amount: number;
}

const round2 = (x: number) => Math.floor(x * 100) / 100;

/** The dutch's stakes, the total capped by what the exchanges offer. */
function backBackLegs(arbitrage: BackBackArbitrage, bankroll: number): Leg[] {
  const total = Math.min(bankroll, arbitrage.maxTotalStake ?? Infinity);
  return arbitrage.stakes.map((stake) => ({ side: 'back', stake, amount: total * stake.stakeShare }));
}

/** Back stake and the lay stake that locks the profit (the lay's stakeShare is per unit backed). */
function backLayLegs(arbitrage: BackLayArbitrage, bankroll: number): Leg[] {
  const backStake = Math.min(bankroll, arbitrage.maxBackStake ?? Infinity);
  return [
    { side: 'back', stake: arbitrage.back, amount: backStake },
    { side: 'lay', stake: arbitrage.lay, amount: backStake * arbitrage.lay.stakeShare },
  ];
}
