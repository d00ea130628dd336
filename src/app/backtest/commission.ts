/**
 * Commission on net winnings per market, by bookmaker: exchanges charge it (Betfair its market
 * base rate, 5 % in the UK and Ireland, up to 10 % in Australian racing), bookmakers build
 * their margin into the price instead. Betfair's rate of a market comes from its market
 * definition (`marketBaseRate`) where the input had one; otherwise from this table.
 * A local piece until issue 13's commission configuration lands; the same rule.
 */
export interface CommissionTable {
  byBookmaker: Record<string, number>;
  /** Market base rates seen in the data, by `eventId:marketId` (Betfair only). */
  marketBaseRates: Map<string, number>;
}

export const defaultCommission: Record<string, number> = { betfair: 0.05, 'betfair-sp': 0.05 };

/** "betfair=5,smarkets=2" (percent) over the defaults. */
export function parseCommission(text: string | undefined): Record<string, number> {
  const table = { ...defaultCommission };
  for (const part of (text ?? '').split(',').filter((p) => p.trim() !== '')) {
    const m = /^\s*([\w.-]+)\s*=\s*(\d+(\.\d+)?)\s*%?\s*$/.exec(part);
    if (!m) throw new Error(`--commission: "${part}" is not bookmaker=percent`);
    table[m[1]!] = Number(m[2]) / 100;
  }
  return table;
}

export function commissionOf(
  table: CommissionTable,
  bookmaker: string,
  eventId: string,
  marketId: string,
): number {
  if (bookmaker === 'betfair') {
    const rate = table.marketBaseRates.get(`${eventId}:${marketId}`);
    if (rate !== undefined) return rate;
  }
  return table.byBookmaker[bookmaker] ?? 0;
}

const baseRate = /"marketBaseRate"\s*:\s*(\d+(?:\.\d+)?)/;

/** Betfair's market base rate (percent in the stream) from a raw record's payload, as a fraction. */
export function marketBaseRateIn(payload: string): number | undefined {
  const m = baseRate.exec(payload);
  return m ? Number(m[1]) / 100 : undefined;
}
