import type { RawMarketBook } from '../../src/core/generated/avro-types.js';
import { noExchangeData, noExchangeMarketData } from '../../connectors/contract.js';

/**
 * Valid raw head-to-head books whose prices differ from book to book (so content dedupe never
 * drops one): book i of event e has a price that encodes i. `eventCount` events share the stream.
 */
export function rawBooks(
  count: number,
  options: { eventCount?: number; baseTime?: number } = {},
): RawMarketBook[] {
  const eventCount = options.eventCount ?? 10;
  const baseTime = options.baseTime ?? Date.UTC(2026, 10, 20, 12, 0, 0);
  return Array.from({ length: count }, (_, i) => {
    const event = i % eventCount;
    const home = `Home Team ${event}`;
    const away = `Away Team ${event}`;
    const price = (1.5 + (i % 1000) / 1000).toFixed(3);
    return {
      provider: 'the-odds-api',
      sourceEventId: `evt-${event}`,
      sourceMarketId: 'h2h',
      sport: 'basketball_nba',
      competition: 'NBA',
      eventName: `${away} @ ${home}`,
      homeTeam: home,
      awayTeam: away,
      venue: null,
      raceNumber: null,
      startTime: baseTime + 24 * 3600_000,
      marketType: 'h2h',
      marketName: null,
      bookmaker: `book${i % 3}`,
      side: 'back',
      status: 'OPEN',
      inPlay: false,
      numberOfPlaces: null,
      priceFormat: 'decimal',
      selections: [
        {
          sourceSelectionId: home,
          name: home,
          price,
          point: null,
          size: null,
          status: 'ACTIVE',
          ...noExchangeData(),
        },
        {
          sourceSelectionId: away,
          name: away,
          price: '2.600',
          point: null,
          size: null,
          status: 'ACTIVE',
          ...noExchangeData(),
        },
      ],
      eventTime: baseTime + i * 1000,
      receivedAt: baseTime + i * 1000 + 5,
      payload: JSON.stringify({ i }),
      ...noExchangeMarketData,
    };
  });
}
