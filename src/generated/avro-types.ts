// Generated from schemas/*.avsc by `npm run gen:types`. Do not edit.

export interface DeadLetterError {
  path: string;
  code: string;
  message: string;
}

/** A record that could not be processed, with why and the original bytes. Topic odds.dlq, key as the original. */
export interface DeadLetter {
  /** parse, validate, normalize, enrich or results. */
  stage: string;
  /** The first error's code, e.g. ODDS_OUT_OF_RANGE. */
  reasonCode: string;
  errors: DeadLetterError[];
  provider: null | string;
  sourceTopic: null | string;
  sourcePartition: null | number;
  /** Kafka offset as a decimal string (int64). */
  sourceOffset: null | string;
  key: null | Buffer;
  /** The original message value (or provider payload) byte for byte; only its head when truncated. */
  originalValue: Buffer;
  failedAt: number;
  /** originalValue holds only the head of an original too large for a Kafka record; it cannot be requeued. */
  truncated: boolean;
  /** Bytes of the whole original value (-1: written before sizes were recorded). */
  originalSize: number;
  /** SHA-256 (hex) of the whole original value, to find it at its source when truncated. */
  originalSha256: null | string;
}

export interface Selection {
  selectionId: string;
  name: null | string;
  /** Null when the selection has no price (removed, or none offered). */
  decimalOdds: null | number;
  point: null | number;
  size: null | number;
  status: string;
}

/** A validated book with decimal odds and canonical ids. Topic odds.normalized, key eventId:marketId. */
export interface MarketBook {
  /** Deterministic: sport, UTC start date and teams, or venue and race number. */
  eventId: string;
  /** Canonical market type, with the line for handicaps and totals (SPREAD@-5.5). */
  marketId: string;
  /** WIN, PLACE, H2H, H2H_3WAY, SPREAD, TOTAL, OUTRIGHT... */
  marketType: string;
  line: null | number;
  /** Canonical sport: horse-racing, greyhound-racing, basketball-nba, ... */
  sport: string;
  competition: null | string;
  eventName: null | string;
  startTime: null | number;
  provider: string;
  bookmaker: string;
  /** back or lay. */
  side: string;
  status: string;
  inPlay: boolean;
  numberOfPlaces: null | number;
  selections: Selection[];
  sourceEventId: string;
  sourceMarketId: string;
  eventTime: number;
  receivedAt: number;
  processedAt: number;
  /** Hash of the prices, sizes and statuses; equal hashes mean an unchanged book. */
  contentHash: string;
}

export interface OpeningOdds {
  selectionId: string;
  /** Best back odds across books when the selection was first seen. */
  openingOdds: number;
  /** Event time it was first seen. */
  openedAt: number;
}

/** The opening odds of a market's selections as the features stage first saw them. Topic features.opening (compacted), key eventId:marketId, partitioned like odds.normalized: the enrich stage restores them after a restart or a rebalance, so openingOdds survives both. */
export interface MarketOpening {
  eventId: string;
  marketId: string;
  selections: OpeningOdds[];
  /** Event time of the latest opening added. */
  updatedAt: number;
}

export interface SelectionPricing {
  selectionId: string;
  name: null | string;
  decimalOdds: number;
  impliedProbability: number;
  fairProbability: number;
  fairOdds: number;
  /** Fair probability by every method. */
  fairProbabilities: Record<string, number>;
}

export interface BestPrice {
  selectionId: string;
  bestOdds: number;
  bestBookmaker: string;
  /** Mean fair probability across books. */
  consensusFairProbability: number;
}

export interface CrossBook {
  /** Books currently quoting this market and side (OPEN, with at least one priced selection): the set the best prices and the consensus come from. */
  bookCount: number;
  /** Sum of 1/best odds over selections. */
  bestBookSum: number;
  /** bestBookSum < 1. */
  arbitrage: boolean;
  selections: BestPrice[];
}

/** Overround, implied and fair probabilities of one book, with the cross-book state of its market. Topic odds.pricing, key eventId:marketId. */
export interface MarketPricing {
  eventId: string;
  marketId: string;
  marketType: string;
  provider: string;
  bookmaker: string;
  side: string;
  inPlay: boolean;
  startTime: null | number;
  numberOfPlaces: null | number;
  /** Margin-removal method of fairProbability: multiplicative, additive, power, shin or odds-ratio. */
  method: string;
  /** Sum of 1/odds over active selections, divided by the places paid, minus 1 (0.047 for a 104.7% book). */
  overround: number;
  /** 100 * sum of 1/odds (not divided by places). */
  bookPercentage: number;
  /** OK, UNDER_ROUND, SINGLE_SELECTION or NOT_CONVERGED; see docs/odds-math.md for what each means for the fair values. */
  pricingStatus: string;
  selections: SelectionPricing[];
  crossBook: CrossBook;
  eventTime: number;
  processedAt: number;
}

export interface RawSelection {
  sourceSelectionId: string;
  name: null | string;
  /** As given: "5/2", "+150", "3.5"; null when no price is offered. */
  price: null | string;
  /** Handicap or total line. */
  point: null | number;
  /** Exchange: money available at the price. */
  size: null | number;
  /** ACTIVE, REMOVED, WINNER, LOSER or PLACED. */
  status: string;
}

/** One market of one bookmaker (and one side) at one instant, with prices exactly as the provider gave them. Topic odds.raw, key provider:sourceEventId:sourceMarketId. */
export interface RawMarketBook {
  /** Connector name: the-odds-api, betfair, ws-json. */
  provider: string;
  sourceEventId: string;
  sourceMarketId: string;
  /** The provider's sport key, e.g. basketball_nba, or the Betfair event type id (7 horse racing, 4339 greyhounds). */
  sport: string;
  competition: null | string;
  eventName: null | string;
  homeTeam: null | string;
  awayTeam: null | string;
  venue: null | string;
  raceNumber: null | number;
  startTime: null | number;
  /** The provider's market key: h2h, spreads, totals, outrights, h2h_lay, WIN, PLACE, MATCH_ODDS... */
  marketType: string;
  marketName: null | string;
  /** Bookmaker key, or the exchange name for exchange books. */
  bookmaker: string;
  /** back or lay. */
  side: string;
  /** OPEN, SUSPENDED or CLOSED. */
  status: string;
  inPlay: boolean;
  /** Places paid in a place market (Betfair numberOfWinners). */
  numberOfPlaces: null | number;
  /** decimal, fractional, american, hongkong, malay or indonesian. */
  priceFormat: string;
  selections: RawSelection[];
  /** The provider's timestamp for this book (last_update, Betfair pt). */
  eventTime: number;
  receivedAt: number;
  /** The provider's original JSON for this book, kept for audit. */
  payload: string;
}

export interface RawScore {
  name: string;
  /** As given (The Odds API sends strings). */
  score: string;
}

export interface RawRunnerResult {
  sourceSelectionId: string;
  name: null | string;
  /** WINNER, LOSER, PLACED or REMOVED. */
  status: string;
  /** Betfair starting price, when known. */
  bsp: null | number;
}

/** A finished event or settled market as the provider reported it. Topic results.raw, key provider:sourceEventId. */
export interface RawResult {
  provider: string;
  sourceEventId: string;
  sourceMarketId: null | string;
  sport: string;
  competition: null | string;
  eventName: null | string;
  homeTeam: null | string;
  awayTeam: null | string;
  venue: null | string;
  raceNumber: null | number;
  startTime: null | number;
  marketType: null | string;
  numberOfPlaces: null | number;
  completed: boolean;
  scores: RawScore[];
  runners: RawRunnerResult[];
  eventTime: number;
  receivedAt: number;
  payload: string;
}

export interface Score {
  selectionId: string;
  name: string;
  /** Null when the provider's score is not a number. */
  score: null | number;
  rawScore: string;
}

export interface Placing {
  selectionId: string;
  name: null | string;
  /** WINNER, PLACED, LOSER or REMOVED. */
  status: string;
}

/** A settled event or market with canonical ids. Topic results.normalized, key eventId. */
export interface Result {
  eventId: string;
  marketId: null | string;
  sport: string;
  eventName: null | string;
  startTime: null | number;
  provider: string;
  scores: Score[];
  placings: Placing[];
  /** Selection ids of the winners; empty for a draw or when unknown. */
  winners: string[];
  settledAt: number;
  processedAt: number;
}

/** Model features of one selection, computed in event time from provider timestamps. Topic features.market, key eventId:marketId:selectionId. */
export interface SelectionFeatures {
  eventId: string;
  marketId: string;
  selectionId: string;
  name: null | string;
  eventTime: number;
  startTime: null | number;
  /** Negative once the event has started. */
  secondsToStart: null | number;
  inPlay: boolean;
  /** Best back odds at the first book seen. */
  openingOdds: number;
  /** Best back odds across books now. */
  currentOdds: number;
  /** currentOdds / openingOdds - 1. */
  changeSinceOpen: number;
  /** Mean fair probability across books. */
  consensusProbability: number;
  /** Change of consensusProbability per minute over the last minute. */
  probabilityVelocity1m: number;
  /** Change of consensusProbability per minute over the last five minutes. */
  probabilityVelocity5m: number;
  /** Standard deviation of log changes of currentOdds over the last five minutes. */
  volatility5m: number;
  numberOfBooks: number;
  /** Mean overround of the market's books. */
  marketOverround: number;
}
