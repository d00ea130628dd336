import type { MarketBook, Selection } from '../../../../src/core/generated/avro-types.js';
import { bookExtras, selectionExtras } from '../../../helpers/record-defaults.js';

/** An active, priced selection. */
export const runner = (selectionId: string, decimalOdds: number | null, status = 'ACTIVE'): Selection => ({
  selectionId,
  name: selectionId,
  decimalOdds,
  point: null,
  size: null,
  status,
  ...selectionExtras(selectionId),
});

/** A normalized book with the fields pricing does not look at filled in. */
export function marketBook(overrides: Partial<MarketBook> & Pick<MarketBook, 'selections'>): MarketBook {
  return {
    eventId: 'basketball/2027-01-15/boston-celtics~miami-heat',
    marketId: 'H2H',
    marketType: 'H2H',
    line: null,
    sport: 'basketball-nba',
    competition: 'NBA',
    eventName: 'Boston Celtics v Miami Heat',
    startTime: Date.parse('2027-01-15T00:10:00Z'),
    provider: 'the-odds-api',
    bookmaker: 'draftkings',
    side: 'back',
    status: 'OPEN',
    inPlay: false,
    numberOfPlaces: null,
    sourceEventId: 'e4b7c1f0a9d34c2b8f6a1d2c3b4a5f60',
    sourceMarketId: 'h2h',
    eventTime: Date.parse('2027-01-14T18:02:11Z'),
    receivedAt: Date.parse('2027-01-14T18:02:12Z'),
    processedAt: Date.parse('2027-01-14T18:02:12Z'),
    contentHash: 'hash',
    ...bookExtras,
    ...overrides,
  };
}
