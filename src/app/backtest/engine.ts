import type { MarketBook, MarketPricing, Result } from '../../core/generated/avro-types.js';
import { MarketBoard, type FreshnessRule } from '../strategy/market-board.js';
import type { Order, Strategy } from '../strategy/strategy.js';
import { commissionOf, type CommissionTable } from './commission.js';

export type BacktestEvent =
  | { kind: 'pricing'; value: MarketPricing }
  | { kind: 'book'; value: MarketBook }
  | { kind: 'result'; value: Result };

export const eventTimeOf = (e: BacktestEvent): number =>
  e.kind === 'result' ? e.value.settledAt : e.value.eventTime;

export interface Bet {
  id: number;
  placedAt: number;
  eventId: string;
  marketId: string;
  selectionId: string;
  bookmaker: string;
  side: 'back' | 'lay';
  odds: number;
  stake: number;
  reason: string | null;
  /** 1 / consensus fair probability at the last back pricing before the start; null if none was seen. */
  closingOdds: number | null;
  /** The bet's (not the selection's): a lay is won when its selection loses. */
  outcome: 'won' | 'lost' | 'void' | 'unsettled';
  /** Before commission. */
  grossPnl: number;
  settledAt: number | null;
}

export interface Refusal {
  at: number;
  order: Order;
  eventId: string;
  marketId: string;
  reason: string;
}

export interface MarketSettlement {
  eventId: string;
  marketId: string;
  settledAt: number;
  /** Net of commission, which is charged per bookmaker on the market's net winnings. */
  pnl: number;
  commission: number;
}

export interface BacktestRun {
  strategy: string;
  from: number;
  to: number;
  bets: Bet[];
  refusals: Refusal[];
  settlements: MarketSettlement[];
  /** Pricing records handed to the strategy. */
  quotes: number;
}

export interface BacktestOptions {
  from: number;
  to: number;
  freshness: FreshnessRule;
  commission: CommissionTable;
  /** Largest stake of one bet; larger orders are cut to it. */
  maxStake: number;
}

const marketKey = (eventId: string, marketId: string) => `${eventId}:${marketId}`;

/** Whether a selection is a winner of a result: a winner, or placed in a place market. */
function outcomeOf(result: Result, selectionId: string): 'won' | 'lost' | 'void' {
  const placing = result.placings.find((p) => p.selectionId === selectionId);
  if (placing?.status === 'REMOVED') return 'void';
  if (result.winners.includes(selectionId)) return 'won';
  return 'lost';
}

/** The bet's outcome from its selection's: a lay wins when the selection loses. */
function betOutcome(selection: 'won' | 'lost' | 'void', side: 'back' | 'lay'): Bet['outcome'] {
  if (selection === 'void' || side === 'back') return selection;
  return selection === 'won' ? 'lost' : 'won';
}

function grossPnl(bet: Bet): number {
  if (bet.outcome === 'void' || bet.outcome === 'unsettled') return 0;
  const won = bet.outcome === 'won';
  if (bet.side === 'back') return won ? bet.stake * (bet.odds - 1) : -bet.stake;
  return won ? bet.stake : -bet.stake * (bet.odds - 1);
}

/**
 * Replays history through a strategy in event-time order (the caller's events must come sorted:
 * both sources sort them). Each pricing record updates the board and is shown to the strategy;
 * its orders are filled at once at the bookmaker's current quote, or refused when there is none,
 * when it is stale or its market suspended, or when the quote is worse than the order's price.
 * A result settles the market's bets; commission is charged per market and bookmaker on net
 * winnings. Deterministic: no wall clock, no randomness, ties broken by the events' order.
 */
export async function runBacktest(
  events: AsyncIterable<BacktestEvent> | Iterable<BacktestEvent>,
  strategy: Strategy,
  options: BacktestOptions,
): Promise<BacktestRun> {
  const board = new MarketBoard(options.freshness);
  const bets: Bet[] = [];
  const open = new Map<string, Bet[]>();
  const closing = new Map<string, Map<string, number>>();
  const refusals: Refusal[] = [];
  const settlements: MarketSettlement[] = [];
  let quotes = 0;

  const place = (order: Order, pricing: MarketPricing, now: number): void => {
    const { eventId, marketId } = pricing;
    const refuse = (reason: string) => refusals.push({ at: now, order, eventId, marketId, reason });
    if (!(order.stake > 0) || !(order.odds > 1)) return void refuse('invalid order');
    const refusal = board.refusal(eventId, marketId, order.bookmaker, order.side, order.selectionId, now);
    if (refusal !== undefined) return void refuse(refusal.reason);
    const quote = board.quote(eventId, marketId, order.bookmaker, order.side, order.selectionId)!;
    const worse = order.side === 'back' ? quote.odds < order.odds : quote.odds > order.odds;
    if (worse) return void refuse(`price moved (${quote.odds})`);
    const bet: Bet = {
      id: bets.length + 1,
      placedAt: now,
      eventId,
      marketId,
      selectionId: order.selectionId,
      bookmaker: order.bookmaker,
      side: order.side,
      odds: quote.odds,
      stake: Math.min(order.stake, options.maxStake),
      reason: order.reason ?? null,
      closingOdds: null,
      outcome: 'unsettled',
      grossPnl: 0,
      settledAt: null,
    };
    bets.push(bet);
    const key = marketKey(eventId, marketId);
    open.set(key, [...(open.get(key) ?? []), bet]);
  };

  const settle = (result: Result): void => {
    const keys =
      result.marketId !== null
        ? [marketKey(result.eventId, result.marketId)]
        : [...open.keys()].filter((k) => k.startsWith(`${result.eventId}:`));
    for (const key of keys) {
      const marketBets = open.get(key);
      if (marketBets === undefined) continue;
      open.delete(key);
      const closes = closing.get(key);
      const byBookmaker = new Map<string, number>();
      for (const bet of marketBets) {
        bet.outcome = betOutcome(outcomeOf(result, bet.selectionId), bet.side);
        bet.grossPnl = grossPnl(bet);
        bet.settledAt = result.settledAt;
        const close = closes?.get(bet.selectionId);
        bet.closingOdds = close === undefined || close <= 0 ? null : 1 / close;
        byBookmaker.set(bet.bookmaker, (byBookmaker.get(bet.bookmaker) ?? 0) + bet.grossPnl);
      }
      let pnl = 0;
      let commission = 0;
      for (const [bookmaker, gross] of [...byBookmaker].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const rate = commissionOf(
          options.commission,
          bookmaker,
          marketBets[0]!.eventId,
          marketBets[0]!.marketId,
        );
        const charged = gross > 0 ? gross * rate : 0;
        commission += charged;
        pnl += gross - charged;
      }
      settlements.push({
        eventId: marketBets[0]!.eventId,
        marketId: marketBets[0]!.marketId,
        settledAt: result.settledAt,
        pnl,
        commission,
      });
    }
  };

  for await (const event of events) {
    const at = eventTimeOf(event);
    if (event.kind === 'result') {
      if (at >= options.from) settle(event.value);
      continue;
    }
    if (at > options.to) continue;
    if (event.kind === 'book') {
      board.applyBook(event.value);
      continue;
    }
    const pricing = event.value;
    const view = board.applyPricing(pricing);
    if (pricing.side === 'back' && (pricing.startTime === null || pricing.eventTime < pricing.startTime)) {
      const key = marketKey(pricing.eventId, pricing.marketId);
      const closes = closing.get(key) ?? new Map<string, number>();
      for (const b of pricing.crossBook.selections) closes.set(b.selectionId, b.consensusFairProbability);
      closing.set(key, closes);
    }
    if (at < options.from) continue;
    quotes++;
    const orders = strategy.onPricing(pricing, view, {
      now: at,
      commission: (bookmaker, eventId, marketId) =>
        commissionOf(options.commission, bookmaker, eventId, marketId),
    });
    for (const order of orders) place(order, pricing, at);
  }
  return { strategy: strategy.name, from: options.from, to: options.to, bets, refusals, settlements, quotes };
}
