import { issue, type Issue } from '../validate/issues.js';

export interface MarketSelectionInput {
  selectionId: string;
  point: number | null;
  /** Index in the record, for issue paths. */
  index: number;
}

export interface CanonicalMarket {
  marketType: string;
  /** Handicap or total line; for a spread, the line of the selection whose id sorts first. */
  line: number | null;
  marketId: string;
  /** The provider's key said lay (The Odds API h2h_lay, outrights_lay). */
  lay: boolean;
}

export type MarketOutcome = { ok: true; market: CanonicalMarket } | { ok: false; issues: Issue[] };

// Provider market keys (The Odds API market keys, Betfair marketType codes) → canonical type.
const marketTypes: Record<string, string> = {
  H2H: 'H2H',
  MATCH_ODDS: 'H2H',
  MONEYLINE: 'H2H',
  H2H_3_WAY: 'H2H_3WAY',
  SPREADS: 'SPREAD',
  SPREAD: 'SPREAD',
  ALTERNATE_SPREADS: 'SPREAD',
  ASIAN_HANDICAP: 'SPREAD',
  HANDICAP: 'SPREAD',
  TOTALS: 'TOTAL',
  TOTAL: 'TOTAL',
  ALTERNATE_TOTALS: 'TOTAL',
  OUTRIGHTS: 'OUTRIGHT',
  OUTRIGHT: 'OUTRIGHT',
  WINNER: 'OUTRIGHT',
  WIN: 'WIN',
  PLACE: 'PLACE',
  OTHER_PLACE: 'PLACE',
  EACH_WAY: 'EACH_WAY',
  DRAW_NO_BET: 'DRAW_NO_BET',
  BTTS: 'BTTS',
  BOTH_TEAMS_TO_SCORE: 'BTTS',
  TEAM_TOTALS: 'TEAM_TOTAL',
};

// Betfair OVER_UNDER_25 is the 2.5-goal total: the line is in the type code, not on the runners.
// A few digits at most: hundreds of them would make the line Infinity.
const betfairOverUnder = /^OVER_UNDER_(\d{1,6})$/u;

export interface MarketTypeInfo {
  marketType: string;
  lineFromType: number | null;
  lay: boolean;
}

export function canonicalMarketType(providerType: string): MarketTypeInfo {
  const upper = providerType
    .trim()
    .toUpperCase()
    .replace(/[^A-Z0-9]+/gu, '_');
  const lay = upper.endsWith('_LAY');
  const base = lay ? upper.slice(0, -'_LAY'.length) : upper;
  const overUnder = betfairOverUnder.exec(base);
  if (overUnder?.[1]) return { marketType: 'TOTAL', lineFromType: Number(overUnder[1]) / 10, lay };
  return { marketType: marketTypes[base] ?? base, lineFromType: null, lay };
}

/** `-5.5`, `220.5`, `0` (never `-0`): the text of a line inside a market id. */
export function formatLine(line: number): string {
  return Object.is(line, -0) ? '0' : String(line);
}

function lineOf(
  marketType: string,
  lineFromType: number | null,
  selections: readonly MarketSelectionInput[],
  collection: string,
): { line: number | null; issues: Issue[] } {
  if (marketType !== 'SPREAD' && marketType !== 'TOTAL') return { line: null, issues: [] };
  const missing = selections.filter((s) => s.point === null && lineFromType === null);
  if (missing.length > 0) {
    return {
      line: null,
      issues: missing.map((s) =>
        issue(`${collection}[${s.index}].point`, 'MISSING_LINE', `a ${marketType} selection needs a point`),
      ),
    };
  }
  const points = selections.map((s) => s.point ?? lineFromType ?? 0);
  if (marketType === 'TOTAL') {
    const line = points[0] ?? lineFromType;
    const ok = points.every((p) => p === line);
    return ok
      ? { line, issues: [] }
      : {
          line: null,
          issues: [
            issue(collection, 'LINE_MISMATCH', `total selections at different lines: ${points.join(', ')}`),
          ],
        };
  }
  // A spread names the line of the selection whose canonical id sorts first: independent of the
  // provider's order and of which team it calls home, so two bookmakers' -5.5/+5.5 books match.
  const [first, second] = points;
  if (points.length === 2 && first !== undefined && second !== undefined && first !== -second) {
    return {
      line: null,
      issues: [issue(collection, 'LINE_MISMATCH', `spread lines ${first} and ${second} do not mirror`)],
    };
  }
  // Code-unit order, as Array.prototype.sort: no locale data involved, the same everywhere.
  const reference = [...selections].sort((a, b) => (a.selectionId < b.selectionId ? -1 : 1))[0];
  return { line: reference?.point ?? lineFromType, issues: [] };
}

/**
 * Canonical market type and id of a book. H2H becomes H2H_3WAY when a draw is offered (or
 * Betfair's MATCH_ODDS has three runners); a place market's id carries the places paid
 * (`PLACE@3`), since books paying 2 and 3 places are different bets.
 */
export function canonicalMarket(
  providerType: string,
  numberOfPlaces: number | null,
  selections: readonly MarketSelectionInput[],
  /** Where the selections sit in the record (`selections`, `runners`), for issue paths. */
  collection = 'selections',
): MarketOutcome {
  const info = canonicalMarketType(providerType);
  let marketType = info.marketType;
  if (marketType === 'H2H' && (selections.length === 3 || selections.some((s) => s.selectionId === 'draw'))) {
    marketType = 'H2H_3WAY';
  }
  const { line, issues } = lineOf(marketType, info.lineFromType, selections, collection);
  if (issues.length > 0) return { ok: false, issues };
  let marketId = marketType;
  if (line !== null) marketId = `${marketType}@${formatLine(line)}`;
  else if ((marketType === 'PLACE' || marketType === 'EACH_WAY') && numberOfPlaces !== null) {
    marketId = `${marketType}@${numberOfPlaces}`;
  }
  return { ok: true, market: { marketType, line, marketId, lay: info.lay } };
}
