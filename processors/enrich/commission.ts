import { z } from 'zod';

/**
 * Commission an exchange takes from net winnings, per bookmaker, as a fraction (0.05 = 5 %).
 * Bookmakers build their margin into the price and charge none, so a bookmaker absent from the
 * table pays 0. A market that states its own rate (Betfair's marketBaseRate) overrides the table.
 */
export type CommissionTable = ReadonlyMap<string, number>;

/**
 * The exchanges' standard rates for a customer without discounts, as of 2026: Betfair 5 % on most
 * UK and European markets (2–10 % by market: the stream's marketBaseRate says which), Matchbook and
 * Smarkets 2 %, Betdaq 2 %. The Odds API names exchange books by region (betfair_ex_uk, …).
 */
export const defaultCommissionTable =
  'betfair=0.05,betfair_ex_uk=0.05,betfair_ex_eu=0.05,betfair_ex_au=0.05,matchbook=0.02,smarkets=0.02,betdaq=0.02';

const entry = z
  .string()
  .trim()
  .regex(/^[^=\s,]+=\d+(\.\d+)?$/u, 'expected bookmaker=rate, e.g. betfair=0.05');

/** `betfair=0.05,smarkets=0.02` → table; rates are fractions in [0, 1). */
export const commissionTableSchema = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  )
  .pipe(z.array(entry))
  .transform((entries, ctx): CommissionTable => {
    const table = new Map<string, number>();
    for (const text of entries) {
      const [bookmaker = '', rateText = ''] = text.split('=');
      const rate = Number(rateText);
      if (!(rate >= 0 && rate < 1)) {
        ctx.addIssue({
          code: 'custom',
          message: `${bookmaker}: rate ${rateText} is not a fraction in [0, 1)`,
        });
      } else if (table.has(bookmaker)) {
        ctx.addIssue({ code: 'custom', message: `${bookmaker} is listed twice` });
      } else table.set(bookmaker, rate);
    }
    return table;
  });

export const defaultCommissions: CommissionTable = commissionTableSchema.parse(defaultCommissionTable);

/** The rate a book's winnings pay: the market's stated base rate (percent) first, then the table. */
export function commissionOf(
  book: { bookmaker: string; marketBaseRate: number | null },
  table: CommissionTable,
): number {
  const stated = book.marketBaseRate;
  if (stated !== null && Number.isFinite(stated) && stated >= 0 && stated < 100) return stated / 100;
  return table.get(book.bookmaker) ?? 0;
}

/**
 * Odds after commission c on net winnings, so that prices of books with different rates compare:
 * back d pays 1 + (d − 1)(1 − c) per unit staked; a lay at d with commission c costs what a lay
 * at 1 + (d − 1)/(1 − c) would without it (liability d − 1 per unit won 1 − c).
 */
export function netOdds(odds: number, commission: number, side: 'back' | 'lay'): number {
  return side === 'back' ? 1 + (odds - 1) * (1 - commission) : 1 + (odds - 1) / (1 - commission);
}
