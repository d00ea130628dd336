import { describe, expect, it } from 'vitest';
import { validateBook } from '../../../../processors/validate/validate-book.js';
import { betfairBook, betfairMessages, oddsApiBooks, oddsApiEvents } from '../normalize/raw-records.js';

// Recordings from 2021–2024: a start-time rule judged against the wall clock would reject them all.
const recorded = [
  ...oddsApiBooks(oddsApiEvents('oddsapi-nba-american.first-event.json'), 'american'),
  ...oddsApiBooks(oddsApiEvents('oddsapi-serie-a-decimal.first-event.json'), 'decimal'),
  ...oddsApiBooks(oddsApiEvents('oddsapi-nfl-spreads-totals.first-events.json'), 'decimal'),
  ...oddsApiBooks(oddsApiEvents('oddsapi-mlb-world-series-outrights.json'), 'decimal'),
  ...[
    'betfair-1.185781277.first-last.jsonl',
    'betfair-1.205822330.first-last.jsonl',
    'betfair-1.200806927.first-last.jsonl',
  ].flatMap((file) => betfairMessages(file).flatMap((m) => [betfairBook(m, 'back'), betfairBook(m, 'lay')])),
];

describe('recorded (historic) books', () => {
  it('are many and years old', () => {
    expect(recorded.length).toBeGreaterThan(100);
    expect(Math.max(...recorded.map((b) => b.eventTime))).toBeLessThan(Date.parse('2025-01-01T00:00:00Z'));
  });

  it('pass validation, the start-time window included (judged against each book’s own time)', () => {
    const failures = recorded
      .map((book) => ({
        book: `${book.provider}/${book.sourceEventId}/${book.bookmaker}/${book.marketType}`,
        issues: validateBook(book).issues,
      }))
      .filter((r) => r.issues.length > 0);
    expect(failures).toEqual([]);
  });

  it('include futures quoted ~320 days ahead and an in-play book after its start', () => {
    const ahead = recorded.map((b) => (b.startTime ?? b.eventTime) - b.eventTime);
    expect(Math.max(...ahead)).toBeGreaterThan(300 * 86_400_000);
    expect(Math.min(...ahead)).toBeLessThan(0);
  });
});
