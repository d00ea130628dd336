import type {
  MarketBook,
  MarketPricing,
  Result,
  SelectionFeatures,
} from '../../src/core/generated/avro-types.js';

export interface SnapshotRow {
  time: Date;
  eventId: string;
  marketId: string;
  bookmaker: string;
  selectionId: string;
  side: string;
  odds: number;
  size: number | null;
  point: number | null;
  impliedProbability: number;
  selectionStatus: string;
  inPlay: boolean;
  provider: string;
  receivedAt: Date;
  marketStatus: string;
  sourceEventId: string;
  sourceMarketId: string;
  sourceSelectionId: string | null;
  handicap: number | null;
  lastTradedPrice: number | null;
  tradedVolume: number | null;
  totalMatched: number | null;
  /** Exchange levels of this side, best first; null when the provider has none. */
  depth: { price: number; size: number }[] | null;
  bspNear: number | null;
  bspFar: number | null;
}

/** The latest status of one book (bookmaker and side) of a market: newer information wins. */
export interface MarketStatusRow {
  eventId: string;
  marketId: string;
  bookmaker: string;
  side: string;
  time: Date;
  status: string;
  inPlay: boolean;
  settled: boolean;
  provider: string;
  sourceEventId: string;
  sourceMarketId: string;
  marketBaseRate: number | null;
  totalMatched: number | null;
}

export interface PricingRow {
  time: Date;
  eventId: string;
  marketId: string;
  bookmaker: string;
  side: string;
  selectionId: string;
  provider: string;
  inPlay: boolean;
  method: string;
  pricingStatus: string;
  overround: number;
  bookPercentage: number;
  odds: number;
  impliedProbability: number;
  fairProbability: number;
  fairOdds: number;
  fairMultiplicative: number | null;
  fairAdditive: number | null;
  fairPower: number | null;
  fairShin: number | null;
  fairOddsRatio: number | null;
  /** Fair probabilities of methods without a column of their own (a method added later); null if none. */
  fairOther: Record<string, number> | null;
  bestOdds: number | null;
  bestBookmaker: string | null;
  consensusFairProbability: number | null;
  bookCount: number;
  arbitrage: boolean;
  marketStatus: string | null;
  phase: string | null;
  bookLeftOut: string | null;
  commission: number | null;
  sourceEventId: string | null;
  sourceMarketId: string | null;
  sourceSelectionId: string | null;
  handicap: number | null;
  bestNetOdds: number | null;
  bestQuoteTime: Date | null;
  bestAgeMs: number | null;
  bestProvider: string | null;
  bestSourceEventId: string | null;
  bestSourceMarketId: string | null;
  bestSourceSelectionId: string | null;
  bestHandicap: number | null;
  backBackProfit: number | null;
  /** The back-versus-lay opportunity on this selection, if any. */
  backLayProfit: number | null;
  /** The market's arbitrage (backBack and backLay) when there is one; null otherwise. */
  arbitrageDetail: Pick<MarketPricing['crossBook'], 'backBack' | 'backLay'> | null;
}

export interface EventRow {
  eventId: string;
  sport: string;
  competition: string | null;
  eventName: string | null;
  startTime: Date | null;
  /** The provider time of this information: newer information wins, nulls never erase. */
  updatedAt: Date;
}

export interface ResultRow {
  eventId: string;
  /** '' for a result of the whole event (a primary key column cannot be null). */
  marketId: string;
  provider: string;
  sport: string;
  eventName: string | null;
  startTime: Date | null;
  winners: string[];
  scores: Result['scores'];
  placings: Result['placings'];
  settledAt: Date;
  processedAt: Date;
}

/**
 * One selection of a features.market record as stored: the SelectionFeatures fields, eventTime as
 * `time`.
 */
export type FeaturesRow = Omit<SelectionFeatures, 'eventTime' | 'startTime'> & {
  time: Date;
  startTime: Date | null;
};

const dateOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/** Written out field by field: a rest and a spread per row were 3 % of the sinks' CPU. */
export function featuresRow(f: SelectionFeatures): FeaturesRow {
  return {
    time: new Date(f.eventTime),
    eventId: f.eventId,
    marketId: f.marketId,
    selectionId: f.selectionId,
    name: f.name,
    startTime: dateOrNull(f.startTime),
    secondsToStart: f.secondsToStart,
    inPlay: f.inPlay,
    openingOdds: f.openingOdds,
    currentOdds: f.currentOdds,
    changeSinceOpen: f.changeSinceOpen,
    consensusProbability: f.consensusProbability,
    probabilityVelocity1m: f.probabilityVelocity1m,
    probabilityVelocity5m: f.probabilityVelocity5m,
    volatility5m: f.volatility5m,
    numberOfBooks: f.numberOfBooks,
    marketOverround: f.marketOverround,
    phase: f.phase,
    bestBookmaker: f.bestBookmaker,
    bestProvider: f.bestProvider,
    sourceEventId: f.sourceEventId,
    sourceMarketId: f.sourceMarketId,
    sourceSelectionId: f.sourceSelectionId,
    handicap: f.handicap,
    quoteTime: f.quoteTime,
  };
}

/**
 * One row per priced selection. A selection without a price (removed, none offered) has no odds
 * to record; `> 0` also keeps a NaN that slipped past validation out of 1/odds.
 */
export function snapshotRows(book: MarketBook): SnapshotRow[] {
  const rows: SnapshotRow[] = [];
  // One Date each for all the rows of the book: nothing mutates a row's dates.
  const time = new Date(book.eventTime);
  const receivedAt = new Date(book.receivedAt);
  for (const selection of book.selections) {
    const odds = selection.decimalOdds;
    if (odds === null || !(odds > 0)) continue;
    rows.push({
      time,
      eventId: book.eventId,
      marketId: book.marketId,
      bookmaker: book.bookmaker,
      selectionId: selection.selectionId,
      side: book.side,
      odds,
      size: selection.size,
      point: selection.point,
      impliedProbability: 1 / odds,
      selectionStatus: selection.status,
      inPlay: book.inPlay,
      provider: book.provider,
      receivedAt,
      marketStatus: book.status,
      sourceEventId: book.sourceEventId,
      sourceMarketId: book.sourceMarketId,
      sourceSelectionId: selection.sourceSelectionId,
      handicap: selection.handicap,
      lastTradedPrice: selection.lastTradedPrice,
      tradedVolume: selection.tradedVolume,
      totalMatched: book.totalMatched,
      depth: selection.depth.length > 0 ? selection.depth : null,
      bspNear: selection.bspNear,
      bspFar: selection.bspFar,
    });
  }
  return rows;
}

export function statusRow(book: MarketBook): MarketStatusRow {
  return {
    eventId: book.eventId,
    marketId: book.marketId,
    bookmaker: book.bookmaker,
    side: book.side,
    time: new Date(book.eventTime),
    status: book.status,
    inPlay: book.inPlay,
    settled: book.settled,
    provider: book.provider,
    sourceEventId: book.sourceEventId,
    sourceMarketId: book.sourceMarketId,
    marketBaseRate: book.marketBaseRate,
    totalMatched: book.totalMatched,
  };
}

type FairColumn = 'fairMultiplicative' | 'fairAdditive' | 'fairPower' | 'fairShin' | 'fairOddsRatio';

/** The methods of MarketPricing.fairProbabilities (docs/odds-math.md) that have a column each. */
const fairColumns = new Set(['multiplicative', 'additive', 'power', 'shin', 'odds-ratio']);

/**
 * The five methods' columns read by name, and the rest (a method added later) into fairOther:
 * Object.entries and a lookup per method were a third of a pricing row's cost.
 */
function splitFair(byMethod: Record<string, number>): Pick<PricingRow, FairColumn | 'fairOther'> {
  const split: Pick<PricingRow, FairColumn | 'fairOther'> = {
    fairMultiplicative: byMethod.multiplicative ?? null,
    fairAdditive: byMethod.additive ?? null,
    fairPower: byMethod.power ?? null,
    fairShin: byMethod.shin ?? null,
    fairOddsRatio: byMethod['odds-ratio'] ?? null,
    fairOther: null,
  };
  for (const method in byMethod) {
    if (!fairColumns.has(method)) (split.fairOther ??= {})[method] = byMethod[method]!;
  }
  return split;
}

/** One row per selection of the book, with the market's cross-book state for that selection. */
export function pricingRows(pricing: MarketPricing): PricingRow[] {
  const { crossBook } = pricing;
  const best = new Map(crossBook.selections.map((b) => [b.selectionId, b]));
  const backLay = new Map(crossBook.backLay.map((b) => [b.selectionId, b]));
  const arbitrageDetail = crossBook.arbitrage
    ? { backBack: crossBook.backBack, backLay: crossBook.backLay }
    : null;
  const time = new Date(pricing.eventTime);
  return pricing.selections.map((selection) => {
    const cross = best.get(selection.selectionId);
    // Named one by one rather than spread into the row: a spread per row costs more than the row.
    const fair = splitFair(selection.fairProbabilities);
    return {
      time,
      eventId: pricing.eventId,
      marketId: pricing.marketId,
      bookmaker: pricing.bookmaker,
      side: pricing.side,
      selectionId: selection.selectionId,
      provider: pricing.provider,
      inPlay: pricing.inPlay,
      method: pricing.method,
      pricingStatus: pricing.pricingStatus,
      overround: pricing.overround,
      bookPercentage: pricing.bookPercentage,
      odds: selection.decimalOdds,
      impliedProbability: selection.impliedProbability,
      fairProbability: selection.fairProbability,
      fairOdds: selection.fairOdds,
      fairMultiplicative: fair.fairMultiplicative,
      fairAdditive: fair.fairAdditive,
      fairPower: fair.fairPower,
      fairShin: fair.fairShin,
      fairOddsRatio: fair.fairOddsRatio,
      fairOther: fair.fairOther,
      bestOdds: cross?.bestOdds ?? null,
      bestBookmaker: cross?.bestBookmaker ?? null,
      consensusFairProbability: cross?.consensusFairProbability ?? null,
      bookCount: crossBook.bookCount,
      arbitrage: crossBook.arbitrage,
      marketStatus: pricing.status,
      phase: crossBook.phase,
      bookLeftOut: crossBook.bookLeftOut,
      commission: pricing.commission,
      sourceEventId: pricing.sourceEventId,
      sourceMarketId: pricing.sourceMarketId,
      sourceSelectionId: selection.sourceSelectionId,
      handicap: selection.handicap,
      bestNetOdds: cross?.netOdds ?? null,
      bestQuoteTime: dateOrNull(cross?.quoteTime ?? null),
      bestAgeMs: cross?.ageMs ?? null,
      bestProvider: cross?.provider ?? null,
      bestSourceEventId: cross?.sourceEventId ?? null,
      bestSourceMarketId: cross?.sourceMarketId ?? null,
      bestSourceSelectionId: cross?.sourceSelectionId ?? null,
      bestHandicap: cross?.handicap ?? null,
      backBackProfit: crossBook.backBack?.profit ?? null,
      backLayProfit: backLay.get(selection.selectionId)?.profit ?? null,
      arbitrageDetail,
    };
  });
}

export function eventFromBook(book: MarketBook): EventRow {
  return {
    eventId: book.eventId,
    sport: book.sport,
    competition: book.competition,
    eventName: book.eventName,
    startTime: dateOrNull(book.startTime),
    updatedAt: new Date(book.eventTime),
  };
}

export function eventFromResult(result: Result): EventRow {
  return {
    eventId: result.eventId,
    sport: result.sport,
    competition: null,
    eventName: result.eventName,
    startTime: dateOrNull(result.startTime),
    updatedAt: new Date(result.settledAt),
  };
}

export function resultRow(result: Result): ResultRow {
  return {
    eventId: result.eventId,
    marketId: result.marketId ?? '',
    provider: result.provider,
    sport: result.sport,
    eventName: result.eventName,
    startTime: dateOrNull(result.startTime),
    winners: result.winners,
    scores: result.scores,
    placings: result.placings,
    settledAt: new Date(result.settledAt),
    processedAt: new Date(result.processedAt),
  };
}

/**
 * Folds two pieces of information about one event: the newer one's fields win where it has
 * them, and a null never erases what the older one knew (a result does not name the competition).
 */
export function mergeEvents(a: EventRow, b: EventRow): EventRow {
  const [older, newer] = b.updatedAt.getTime() >= a.updatedAt.getTime() ? [a, b] : [b, a];
  return {
    eventId: newer.eventId,
    sport: newer.sport,
    competition: newer.competition ?? older.competition,
    eventName: newer.eventName ?? older.eventName,
    startTime: newer.startTime ?? older.startTime,
    updatedAt: newer.updatedAt,
  };
}
