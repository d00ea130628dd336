import type { MarketBook, MarketPricing } from '../../src/core/generated/avro-types.js';
import type { SinkRecord } from '../contract.js';
import type { RedisSinkConfig } from './config.js';

/**
 * The Redis layout (docs/queries.md, "Redis"), one hash per market and kind:
 * - `odds:{eventId}:{marketId}`: field `{bookmaker}|{selectionId}|{side}` → the latest price;
 * - `market:{eventId}:{marketId}`: field `{bookmaker}|{side}` → the book's status (SUSPENDED,
 *   CLOSED, settled), in-play flag and provider ids;
 * - `pricing:{eventId}:{marketId}`: field `{bookmaker}|{side}` → the latest overround and fair
 *   probabilities of that book;
 * - `best:{eventId}:{marketId}`: field `{side}|{selectionId}` → the best price across books, and
 *   field `{side}` → the market's book count, best-book sum and arbitrage flag.
 * Every value is JSON whose first member is `t`, the record's eventTime (ms), and second `o`,
 * its Kafka offset: the write script reads both to keep a newer value against an older write.
 */
export const fieldSeparator = '|';

export interface FieldWrite {
  field: string;
  /** eventTime (ms) of the record the value comes from. */
  t: number;
  /**
   * The value, `{"t":…,"o":<offset>,…}`, made only for the write a batch keeps: a saturated
   * fetch holds a market many times over, and all but its newest value per field would be
   * stringified for nothing.
   */
  render(offset: string): string;
}

/** A field as written: its value also carries `o`, the Kafka offset of its record. */
export interface PlannedField {
  field: string;
  t: number;
  /** Offset of the record in its partition, which breaks ties between equal times. */
  o: string;
  value: string;
}

/** A field's write with its record's offset: the newest of a batch so far, once kept. */
interface Kept {
  write: FieldWrite;
  o: string;
}

export interface HashWrite {
  key: string;
  /** When the key should expire (ms since the epoch); only ever extended. */
  expireAt: number;
  fields: PlannedField[];
}

/** Whether `b` is at least as new as `a`: a later time, or the same time at an offset not before. */
function notOlder(a: Kept, b: Kept): boolean {
  return a.write.t < b.write.t || (a.write.t === b.write.t && BigInt(a.o) <= BigInt(b.o));
}

/**
 * `{"t":…,"o":…,…body}`: the time first and the record's offset second, where the write script
 * reads them, then the body's members (never empty). A market's records all come from one
 * partition (the topics are keyed by market), so between two records of the same time the later
 * offset is the later correction: a replay of the earlier one must not undo it.
 */
const stamped =
  (t: number, body: () => Record<string, unknown>) =>
  (offset: string): string =>
    `{"t":${JSON.stringify(t)},"o":${offset},${JSON.stringify(body()).slice(1)}`;

export function marketKey(
  prefix: string,
  kind: 'odds' | 'market' | 'pricing' | 'best',
  eventId: string,
  marketId: string,
): string {
  return `${prefix}${kind}:${eventId}:${marketId}`;
}

/**
 * Every selection of the book, priced or not: a removed runner's entry says so, and every entry
 * carries its market's status, so a price of a suspended book reads as one.
 */
export function bookFields(book: MarketBook): FieldWrite[] {
  return book.selections.map((s) => ({
    field: [book.bookmaker, s.selectionId, book.side].join(fieldSeparator),
    t: book.eventTime,
    render: stamped(book.eventTime, () => ({
      odds: s.decimalOdds,
      size: s.size,
      point: s.point,
      status: s.status,
      marketStatus: book.status,
      inPlay: book.inPlay,
      provider: book.provider,
      sourceSelectionId: s.sourceSelectionId,
      handicap: s.handicap,
      lastTradedPrice: s.lastTradedPrice,
      tradedVolume: s.tradedVolume,
      depth: s.depth,
      bspNear: s.bspNear,
      bspFar: s.bspFar,
    })),
  }));
}

/** The book's state as a whole: what a bot checks before taking any of its prices. */
export function marketFields(book: MarketBook): FieldWrite[] {
  return [
    {
      field: [book.bookmaker, book.side].join(fieldSeparator),
      t: book.eventTime,
      render: stamped(book.eventTime, () => ({
        status: book.status,
        inPlay: book.inPlay,
        settled: book.settled,
        provider: book.provider,
        sourceEventId: book.sourceEventId,
        sourceMarketId: book.sourceMarketId,
        marketBaseRate: book.marketBaseRate,
        totalMatched: book.totalMatched,
      })),
    },
  ];
}

export function pricingFields(p: MarketPricing): FieldWrite[] {
  return [
    {
      field: [p.bookmaker, p.side].join(fieldSeparator),
      t: p.eventTime,
      render: stamped(p.eventTime, () => ({
        method: p.method,
        overround: p.overround,
        bookPercentage: p.bookPercentage,
        pricingStatus: p.pricingStatus,
        status: p.status,
        inPlay: p.inPlay,
        provider: p.provider,
        sourceEventId: p.sourceEventId,
        sourceMarketId: p.sourceMarketId,
        commission: p.commission,
        selections: p.selections.map((s) => ({
          selectionId: s.selectionId,
          odds: s.decimalOdds,
          impliedProbability: s.impliedProbability,
          fairProbability: s.fairProbability,
          fairOdds: s.fairOdds,
          sourceSelectionId: s.sourceSelectionId,
          handicap: s.handicap,
          size: s.size,
        })),
      })),
    },
  ];
}

/**
 * The market's side summary and best price per selection. A selection of this book that no
 * combined book quotes any more (its only bookmaker suspended or gone stale) is written with
 * `bestOdds: null`, so an old best price does not linger as if it could still be taken.
 */
export function bestFields(p: MarketPricing): FieldWrite[] {
  const { crossBook } = p;
  const quoted = new Set(crossBook.selections.map((b) => b.selectionId));
  const withdrawn = p.selections.filter((s) => !quoted.has(s.selectionId));
  return [
    {
      field: p.side,
      t: p.eventTime,
      render: stamped(p.eventTime, () => ({
        bookCount: crossBook.bookCount,
        bestBookSum: crossBook.bestBookSum,
        arbitrage: crossBook.arbitrage,
        phase: crossBook.phase,
        asOf: crossBook.asOf,
        leftOut: crossBook.leftOut,
        backBack: crossBook.backBack,
        backLay: crossBook.backLay,
      })),
    },
    ...crossBook.selections.map((b) => ({
      field: [p.side, b.selectionId].join(fieldSeparator),
      t: p.eventTime,
      render: stamped(p.eventTime, () => ({
        bestOdds: b.bestOdds,
        bestBookmaker: b.bestBookmaker,
        consensusFairProbability: b.consensusFairProbability,
        netOdds: b.netOdds,
        size: b.size,
        quoteTime: b.quoteTime,
        ageMs: b.ageMs,
        provider: b.provider,
        sourceEventId: b.sourceEventId,
        sourceMarketId: b.sourceMarketId,
        sourceSelectionId: b.sourceSelectionId,
        handicap: b.handicap,
      })),
    })),
    ...withdrawn.map((s) => ({
      field: [p.side, s.selectionId].join(fieldSeparator),
      t: p.eventTime,
      render: stamped(p.eventTime, () => ({ bestOdds: null, bestBookmaker: null })),
    })),
  ];
}

type Ttl = Pick<RedisSinkConfig, 'ttlAfterStartSeconds' | 'ttlAfterWriteSeconds'>;

/**
 * From the record's own times, not the wall clock, so a replay computes the same expiry: a
 * replayed long-finished event expires at once instead of coming back to life.
 */
export function expiryOf(startTime: number | null, eventTime: number, ttl: Ttl): number {
  const afterWrite = eventTime + ttl.ttlAfterWriteSeconds * 1000;
  return startTime === null ? afterWrite : Math.max(startTime + ttl.ttlAfterStartSeconds * 1000, afterWrite);
}

/**
 * The hashes a batch writes: one entry per key, the newest value per field (a field written
 * twice in a batch needs to travel once, and is made into JSON once), and the latest expiry of
 * its records.
 */
export function planWrites(records: readonly SinkRecord[], config: RedisSinkConfig): HashWrite[] {
  const byKey = new Map<string, { expireAt: number; fields: Map<string, Kept> }>();
  const add = (key: string, expireAt: number, fields: FieldWrite[], offset: string): void => {
    let entry = byKey.get(key);
    if (!entry) byKey.set(key, (entry = { expireAt, fields: new Map() }));
    entry.expireAt = Math.max(entry.expireAt, expireAt);
    for (const write of fields) {
      const kept = { write, o: offset };
      const earlier = entry.fields.get(write.field);
      if (!earlier || notOlder(earlier, kept)) entry.fields.set(write.field, kept);
    }
  };
  for (const record of records) {
    if (record.topic === 'oddsNormalized') {
      const b = record.value;
      const expireAt = expiryOf(b.startTime, b.eventTime, config);
      add(marketKey(config.keyPrefix, 'odds', b.eventId, b.marketId), expireAt, bookFields(b), record.offset);
      add(
        marketKey(config.keyPrefix, 'market', b.eventId, b.marketId),
        expireAt,
        marketFields(b),
        record.offset,
      );
    } else if (record.topic === 'oddsPricing') {
      const p = record.value;
      const expireAt = expiryOf(p.startTime, p.eventTime, config);
      add(
        marketKey(config.keyPrefix, 'pricing', p.eventId, p.marketId),
        expireAt,
        pricingFields(p),
        record.offset,
      );
      add(marketKey(config.keyPrefix, 'best', p.eventId, p.marketId), expireAt, bestFields(p), record.offset);
    }
  }
  return [...byKey].map(([key, { expireAt, fields }]) => ({
    key,
    expireAt,
    fields: [...fields.values()].map(({ write, o }) => ({
      field: write.field,
      t: write.t,
      o,
      value: write.render(o),
    })),
  }));
}
