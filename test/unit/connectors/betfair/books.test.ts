import { describe, expect, it } from 'vitest';
import { BookBuilder } from '../../../../connectors/betfair/books.js';
import { MarketCache } from '../../../../connectors/betfair/market-cache.js';
import type { MarketChangeMessage } from '../../../../connectors/betfair/protocol.js';
import type { RawMarketBook } from '../../../../src/core/generated/avro-types.js';
import { fixtureMessages } from './helpers.js';

const greyhounds = fixtureMessages('greyhound-win.stream');

/** Feeds messages one at a time, like the live stream, and returns what each produced. */
function run(messages: readonly MarketChangeMessage[]) {
  const cache = new MarketCache({ closedMarketEvictionMs: 3_600_000 });
  const builder = new BookBuilder();
  return messages.map((message, i) => {
    const update = cache.apply(message);
    return update === undefined ? { books: [], results: [] } : builder.build(update, 1_000 + i);
  });
}

const price = (book: RawMarketBook | undefined, selectionId: string) =>
  book?.selections.find((s) => s.sourceSelectionId === selectionId);

describe('BookBuilder on the greyhound sample', () => {
  const steps = run(greyhounds);

  it('emits a back and a lay book from the image, with the definition fields', () => {
    const [back, lay] = steps[0]!.books;
    expect(back).toMatchObject({
      provider: 'betfair',
      bookmaker: 'betfair',
      sourceEventId: '33901234',
      sourceMarketId: '1.238812345',
      sport: '4339',
      venue: 'Romford',
      marketType: 'WIN',
      side: 'back',
      status: 'OPEN',
      inPlay: false,
      numberOfPlaces: null,
      priceFormat: 'decimal',
      startTime: Date.parse('2027-01-15T16:04:00.000Z'),
      eventTime: 1799942400000,
      receivedAt: 1_000,
    });
    expect(back?.selections).toHaveLength(6);
    expect(price(back, '41000001')).toEqual({
      sourceSelectionId: '41000001',
      name: null,
      price: '5.9',
      point: null,
      size: 14,
      status: 'ACTIVE',
      handicap: 0,
      lastTradedPrice: 5.9,
      tradedVolume: 100,
      depth: [
        { price: 5.9, size: 14 },
        { price: 5.8, size: 30 },
        { price: 5.7, size: 8.5 },
      ],
      bspNear: null,
      bspFar: null,
    });
    expect(back).toMatchObject({ marketBaseRate: 5, totalMatched: 812.4 });
    expect(lay?.side).toBe('lay');
    expect(price(lay, '41000001')).toMatchObject({
      price: '6.1',
      size: 11,
      depth: [
        { price: 6.1, size: 11 },
        { price: 6.3, size: 22.3 },
      ],
    });
    const payload = JSON.parse(back!.payload) as { id: string; img: boolean }[];
    expect(payload.map((c) => [c.id, c.img])).toEqual([['1.238812345', true]]);
  });

  it('emits a side again when its prices, depth or traded figures changed', () => {
    // Trap 3 backs at 3.8 now and traded there; trap 5's lay ladder lost its third level; the
    // market matched 845.9 in all: both sides carry something new.
    const { books } = steps[1]!;
    expect(books.map((b) => b.side)).toEqual(['back', 'lay']);
    const [back, lay] = books;
    expect(price(back, '41000003')).toMatchObject({
      price: '3.8',
      size: 61,
      lastTradedPrice: 3.8,
      depth: [
        { price: 3.8, size: 61 },
        { price: 3.75, size: 19 },
        { price: 3.7, size: 30 },
      ],
    });
    expect(price(lay, '41000005')?.depth).toHaveLength(2);
    expect(lay?.totalMatched).toBe(845.9);
    expect(back?.eventTime).toBe(1799942412345);
  });

  it('emits only the side whose book changed, and nothing for a change beyond the top three levels', () => {
    const image = greyhounds[0]!;
    const delta = (pt: number, rc: object[]): MarketChangeMessage => ({
      op: 'mcm',
      pt,
      mc: [{ id: '1.238812345', rc: rc as never }],
    });
    const [first, backOnly, deepOnly] = run([
      image,
      delta(image.pt + 1, [{ id: 41000001, batb: [[0, 6.0, 5]] }]),
      delta(image.pt + 2, [{ id: 41000001, batb: [[3, 5.5, 2]] }]),
    ]);
    expect(first!.books).toHaveLength(2);
    expect(backOnly!.books.map((b) => b.side)).toEqual(['back']);
    expect(deepOnly!.books).toEqual([]);
  });

  it('emits nothing for a heartbeat, both sides on suspension, and the result once CLOSED', () => {
    expect(steps[2]).toEqual({ books: [], results: [] });
    expect(steps[3]!.books.map((b) => [b.side, b.status])).toEqual([
      ['back', 'SUSPENDED'],
      ['lay', 'SUSPENDED'],
    ]);
    expect(steps[3]!.results).toEqual([]);
    const closing = steps[4]!;
    expect(closing.books.map((b) => b.status)).toEqual(['CLOSED', 'CLOSED']);
    expect(price(closing.books[0], '41000003')?.status).toBe('WINNER');
    expect(closing.results).toHaveLength(1);
    const [result] = closing.results;
    expect(result).toMatchObject({
      sourceMarketId: '1.238812345',
      completed: true,
      eventTime: 1799942701777,
    });
    expect(result?.runners.filter((r) => r.status === 'WINNER')).toEqual([
      { sourceSelectionId: '41000003', name: null, status: 'WINNER', bsp: 3.71 },
    ]);
  });

  it('emits the result once, even when the CLOSED definition comes again', () => {
    const again = run([...greyhounds, greyhounds.at(-1)!]);
    expect(again.flatMap((s) => s.results)).toHaveLength(1);
  });
});

describe('BookBuilder on the real recordings', () => {
  it('WIN 1.185781277: removed runners unpriced in every book, best prices as the ladders say, the winner', () => {
    const steps = run(fixtureMessages('1.185781277.gz'));
    const books = steps.flatMap((s) => s.books);
    const removed = ['40364040', '28545436', '40031798'];
    for (const book of books) {
      expect(book.selections).toHaveLength(17);
      for (const id of removed)
        expect(price(book, id)).toMatchObject({ status: 'REMOVED', price: null, size: null });
    }
    // Independent reference (a plain Python replay of the file) after its first 6,916 messages.
    const before = steps.slice(0, 6916).flatMap((s) => s.books);
    const lastBack = before.filter((b) => b.side === 'back').at(-1);
    const lastLay = before.filter((b) => b.side === 'lay').at(-1);
    expect(price(lastBack, '40364042')).toMatchObject({ price: '4', size: 9.84 });
    expect(price(lastLay, '40364042')).toMatchObject({ price: '4.1', size: 324.31 });
    expect(price(lastBack, '18129666')).toMatchObject({ price: '170', size: 1.91 });
    expect(books.some((b) => b.inPlay && b.status === 'OPEN')).toBe(true);

    const results = steps.flatMap((s) => s.results);
    expect(results).toHaveLength(1);
    expect(results[0]?.runners.find((r) => r.status === 'WINNER')).toMatchObject({
      sourceSelectionId: '40364042',
      bsp: 4.1,
    });
    expect(results[0]?.runners.filter((r) => r.status === 'REMOVED').map((r) => r.sourceSelectionId)).toEqual(
      removed,
    );
  });

  it('PLACE 1.205822330 (historic, no img at first): places paid, names, scratchings, three placed', () => {
    const steps = run(fixtureMessages('1.205822330.gz'));
    const books = steps.flatMap((s) => s.books);
    expect(books[0]).toMatchObject({
      marketType: 'PLACE',
      numberOfPlaces: 3,
      marketName: 'To Be Placed',
      eventName: 'Sunshine Coast (AUS) 1st Nov',
      venue: 'Sunshine Coast',
    });
    // Gap Year is scratched at message 37: books before show it priced, books after do not.
    const gapYear = (b: RawMarketBook | undefined) => price(b, '2329545');
    expect(
      gapYear(
        steps
          .slice(0, 36)
          .flatMap((s) => s.books)
          .at(-1),
      )?.status,
    ).toBe('ACTIVE');
    expect(steps[36]!.books.map((b) => gapYear(b))).toEqual([
      expect.objectContaining({ status: 'REMOVED', price: null }),
      expect.objectContaining({ status: 'REMOVED', price: null }),
    ]);
    const result = steps.flatMap((s) => s.results)[0];
    const placed = result?.runners.filter((r) => r.status === 'WINNER').map((r) => [r.name, r.bsp]);
    expect(placed).toEqual([
      ['1. Realaide', 4.2],
      ['13. Daulat Machtigamor', 3.58],
      ['23. Birkin Black', 1.86],
    ]);
    expect(result?.runners.filter((r) => r.status === 'REMOVED')).toHaveLength(3);
  });

  it('MATCH_ODDS 1.200806927: prices as the ladders say when it suspends, the winner at the end', () => {
    const steps = run(fixtureMessages('1.200806927.gz'));
    const suspended = steps[1009]!.books;
    expect(suspended.map((b) => b.status)).toEqual(['SUSPENDED', 'SUSPENDED']);
    expect(price(suspended[0], '228749')).toMatchObject({ price: '1.23', size: 493.95 });
    expect(price(suspended[1], '2857977')).toMatchObject({ price: '6', size: 0.11 });
    const results = steps.flatMap((s) => s.results);
    expect(results.map((r) => [r.sport, r.runners.map((x) => x.status)])).toEqual([
      ['4', ['WINNER', 'LOSER']],
    ]);
  });

  it('never emits the same book twice in a row for a market and side', () => {
    const books = run(fixtureMessages('1.185781277.gz')).flatMap((s) => s.books);
    const last = new Map<string, string>();
    for (const book of books) {
      const key = `${book.sourceMarketId}:${book.side}`;
      const content = JSON.stringify([book.status, book.inPlay, book.selections]);
      expect(last.get(key)).not.toBe(content);
      last.set(key, content);
    }
  });
});
