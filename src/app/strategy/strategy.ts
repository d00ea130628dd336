import type { MarketPricing } from '../../core/generated/avro-types.js';

/** One bookmaker's price for one selection on one side, as the board last saw it. */
export interface Quote {
  bookmaker: string;
  provider: string;
  side: 'back' | 'lay';
  selectionId: string;
  odds: number;
  /** The provider's time of the book that carried it. */
  eventTime: number;
  inPlay: boolean;
}

/** What a strategy sees of one market: fresh quotes only (see MarketBoard), and the consensus. */
export interface MarketView {
  readonly eventId: string;
  readonly marketId: string;
  readonly marketType: string;
  readonly startTime: number | null;
  readonly numberOfPlaces: number | null;
  selectionIds(): string[];
  /** Fresh quotes of a selection on a side, best first (back: highest odds, lay: lowest). */
  quotes(selectionId: string, side: 'back' | 'lay'): Quote[];
  best(selectionId: string, side: 'back' | 'lay'): Quote | undefined;
  /** The consensus fair probability of the latest back pricing of the market, when known. */
  consensus(selectionId: string): number | undefined;
}

/** A bet a strategy wants: at `odds` or better, at that bookmaker's current quote. */
export interface Order {
  selectionId: string;
  bookmaker: string;
  side: 'back' | 'lay';
  odds: number;
  /** Backer's stake (for a lay: the stake the layer accepts, the liability being stake × (odds − 1)). */
  stake: number;
  /** Why, for the report. */
  reason?: string;
}

export interface StrategyContext {
  /** Event time of the record being handled: the strategy's only clock. */
  now: number;
  /** Commission on net winnings at this bookmaker for this market (0.05 = 5 %). */
  commission(bookmaker: string, eventId: string, marketId: string): number;
}

/**
 * A trading strategy's decision logic, pure: records in, orders out, no I/O and no wall clock.
 * The same object runs live (examples/strategy-bot.ts, on odds.pricing) and in a backtest
 * (`oddsflow backtest --strategy FILE`), which is what makes a backtest say something about
 * the live bot. A strategy module's default export is a Strategy or a factory taking the
 * `--param` values.
 */
export interface Strategy {
  readonly name: string;
  onPricing(pricing: MarketPricing, market: MarketView, ctx: StrategyContext): Order[];
}

export type StrategyFactory = (params: Record<string, string>) => Strategy;
