import type { BacktestRun, Bet, MarketSettlement } from './engine.js';

export interface MarketRow {
  eventId: string;
  marketId: string;
  bets: number;
  staked: number;
  pnl: number;
  commission: number;
  roi: number | null;
}

export interface BacktestSummary {
  bets: number;
  won: number;
  lost: number;
  void: number;
  unsettled: number;
  refused: number;
  staked: number;
  /** Net of commission. */
  pnl: number;
  commission: number;
  roi: number | null;
  hitRate: number | null;
  /** Mean over std of the markets' returns (P&L / stake per settled market), not annualised. */
  sharpe: number | null;
  /** Largest fall of cumulative P&L from a previous peak, in stake units (≥ 0). */
  maxDrawdown: number;
  /** Mean of odds / closing odds − 1 (lays: closing / odds − 1) over bets with a closing price. */
  closingLineValue: number | null;
  quotes: number;
}

export interface EquityPoint {
  at: number;
  equity: number;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/** The equity curve: cumulative net P&L after each settlement, in settlement order. */
export function equityCurve(settlements: readonly MarketSettlement[]): EquityPoint[] {
  let equity = 0;
  return settlements.map((s) => ({ at: s.settledAt, equity: (equity += s.pnl) }));
}

export function maxDrawdown(curve: readonly EquityPoint[]): number {
  let peak = 0;
  let worst = 0;
  for (const { equity } of curve) {
    peak = Math.max(peak, equity);
    worst = Math.max(worst, peak - equity);
  }
  return worst;
}

function clv(bet: Bet): number | null {
  if (bet.closingOdds === null) return null;
  return bet.side === 'back' ? bet.odds / bet.closingOdds - 1 : bet.closingOdds / bet.odds - 1;
}

export function marketRows(run: BacktestRun): MarketRow[] {
  return run.settlements.map((s) => {
    const bets = run.bets.filter(
      (b) => b.eventId === s.eventId && b.marketId === s.marketId && b.outcome !== 'void',
    );
    const staked = bets.reduce((n, b) => n + b.stake, 0);
    return {
      eventId: s.eventId,
      marketId: s.marketId,
      bets: bets.length,
      staked,
      pnl: s.pnl,
      commission: s.commission,
      roi: ratio(s.pnl, staked),
    };
  });
}

export function summarise(run: BacktestRun): BacktestSummary {
  const count = (o: Bet['outcome']) => run.bets.filter((b) => b.outcome === o).length;
  const settled = run.bets.filter((b) => b.outcome === 'won' || b.outcome === 'lost');
  const staked = settled.reduce((n, b) => n + b.stake, 0);
  const pnl = run.settlements.reduce((n, s) => n + s.pnl, 0);
  const returns = marketRows(run).flatMap((m) => (m.roi === null ? [] : [m.roi]));
  const mean = returns.reduce((a, b) => a + b, 0) / (returns.length || 1);
  const sd =
    returns.length > 1
      ? Math.sqrt(returns.reduce((n, r) => n + (r - mean) ** 2, 0) / (returns.length - 1))
      : 0;
  const clvs = run.bets
    .flatMap((b) => (b.outcome === 'void' ? [] : [clv(b)]))
    .filter((v): v is number => v !== null);
  return {
    bets: run.bets.length,
    won: count('won'),
    lost: count('lost'),
    void: count('void'),
    unsettled: count('unsettled'),
    refused: run.refusals.length,
    staked,
    pnl,
    commission: run.settlements.reduce((n, s) => n + s.commission, 0),
    roi: ratio(pnl, staked),
    hitRate: ratio(count('won'), settled.length),
    sharpe: sd > 0 ? mean / sd : null,
    maxDrawdown: maxDrawdown(equityCurve(run.settlements)),
    closingLineValue: clvs.length === 0 ? null : clvs.reduce((a, b) => a + b, 0) / clvs.length,
    quotes: run.quotes,
  };
}
