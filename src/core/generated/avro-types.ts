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

export interface PriceLevel {
  price: number;
  size: number;
}

export interface Selection {
  selectionId: string;
  name: null | string;
  /** Null when the selection has no price (removed, or none offered). */
  decimalOdds: null | number;
  point: null | number;
  size: null | number;
  status: string;
  /** The provider's id of the selection (Betfair: the numeric selection id), what a bet names. Null only in records written before it existed. */
  sourceSelectionId: null | string;
  /** Betfair: the runner's handicap, the second half of its id in a bet (0 when none). */
  handicap: null | number;
  /** Exchange: the last price matched. */
  lastTradedPrice: null | number;
  /** Exchange: money matched on this selection so far. */
  tradedVolume: null | number;
  /** Exchange: the best three levels offered on this book's side, best first (decimal odds, money available). */
  depth: PriceLevel[];
  /** Betfair projected starting price, near. */
  bspNear: null | number;
  /** Betfair projected starting price, far. */
  bspFar: null | number;
}

/** A validated book with decimal odds and canonical ids. Topic odds.normalized, key eventId:marketId. */
export interface MarketBook {
  /** Sport family, UTC start date and the two teams (plus the start time HHMM when another event of the same pair was already seen that day), or venue and start time for a race; docs/architecture.md, Canonical ids. */
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
  /** OPEN, SUSPENDED or CLOSED: only an OPEN book's prices can be taken. */
  status: string;
  /** The provider's in-play flag. */
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
  /** CLOSED with every selection's result known (WINNER, LOSER, PLACED or REMOVED): a settled exchange market. */
  settled: boolean;
  /** Exchange commission on net winnings in percent, as the provider states it (Betfair marketBaseRate). */
  marketBaseRate: null | number;
  /** Exchange: money matched on the market so far. */
  totalMatched: null | number;
}

/** One selection's features; with its market's fields it is a SelectionFeatures row. */
export interface FeaturesSelection {
  selectionId: string;
  name: null | string;
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
  /** Who quotes currentOdds, with the quote's ids at its provider (event, market, selection, handicap). */
  bestBookmaker: null | string;
  bestProvider: null | string;
  sourceEventId: null | string;
  sourceMarketId: null | string;
  sourceSelectionId: null | string;
  handicap: null | number;
  /** The provider's time of the quote behind currentOdds. */
  quoteTime: null | number;
}

/** Model features of every selection of one market, computed in event time from provider timestamps, after a back book changed the market. Topic features.market, key eventId:marketId: one record per market change. Until 2026-12 the topic carried one SelectionFeatures record per selection; the alias lets the registry accept this schema over that one (BACKWARD), and this build's readers turn such a record into a MarketFeatures of one selection. */
export interface MarketFeatures {
  eventId: string;
  marketId: string;
  eventTime: number;
  startTime: null | number;
  /** Negative once the event has started. */
  secondsToStart: null | number;
  inPlay: boolean;
  numberOfBooks: number;
  /** Mean overround of the market's books. */
  marketOverround: number;
  /** pre-match or in-play: the phase of the quotes behind the best odds and the consensus. */
  phase: null | string;
  selections: FeaturesSelection[];
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
  /** The provider's id of the selection (with sourceEventId and sourceMarketId of the record: what a bet names). */
  sourceSelectionId: null | string;
  /** Betfair: the runner's handicap. */
  handicap: null | number;
  /** Exchange: money available at decimalOdds. */
  size: null | number;
}

export interface BestPrice {
  selectionId: string;
  /** The best price as quoted; best after commission (netOdds), ties to the bookmaker whose name sorts first. */
  bestOdds: number;
  bestBookmaker: string;
  /** Mean fair probability across books. */
  consensusFairProbability: number;
  /** bestOdds after the bookmaker's commission: back 1 + (d - 1)(1 - c); lay 1 + (d - 1)/(1 - c). */
  netOdds: null | number;
  /** Exchange: money available at bestOdds. */
  size: null | number;
  /** The provider's time of the best quote (its book's eventTime). */
  quoteTime: null | number;
  /** crossBook.asOf minus quoteTime: how far the quote lags the newest price of the market. */
  ageMs: null | number;
  provider: null | string;
  /** The best quote's ids at its provider: event, market, selection and handicap. */
  sourceEventId: null | string;
  sourceMarketId: null | string;
  sourceSelectionId: null | string;
  handicap: null | number;
}

export interface ArbitrageStake {
  selectionId: string;
  bookmaker: string;
  provider: string;
  odds: number;
  netOdds: number;
  /** Share of the total stake on this selection: (1/netOdds) / sum(1/netOdds). */
  stakeShare: number;
  sourceEventId: null | string;
  sourceMarketId: null | string;
  sourceSelectionId: null | string;
  handicap: null | number;
  /** The provider's time of the quote. */
  quoteTime: null | number;
  /** Exchange: money available at odds. */
  size: null | number;
}

export interface BackBackArbitrage {
  /** Guaranteed return on the total stake after commission: places / sum(1/netOdds) - 1. */
  profit: number;
  /** Sum of 1/netOdds of the best back quotes, divided by the places paid. */
  netBookSum: number;
  /** Largest total stake the exchange sizes allow at these prices; null when no quote has a size. */
  maxTotalStake: null | number;
  stakes: ArbitrageStake[];
}

export interface BackLayArbitrage {
  selectionId: string;
  /** The back quote; stakeShare 1 (the unit of the stakes below). */
  back: ArbitrageStake;
  /** The exchange lay quote; stakeShare is the lay stake per unit of back stake: netBack / (lay - c). */
  lay: ArbitrageStake;
  /** Guaranteed return per unit of back stake after both commissions: netBack / netLay - 1. */
  profit: number;
  /** Largest back stake the sizes allow; null when neither quote has a size. */
  maxBackStake: null | number;
}

export interface CrossBook {
  /** Books of this side in the cross-book state: OPEN, of the market's phase, fresh, with at least one priced selection. The set the best prices and the consensus come from. */
  bookCount: number;
  /** Sum of 1/best odds over selections (odds as quoted, before commission). */
  bestBookSum: number;
  /** A real arbitrage after commission exists in the market now: backBack is set or backLay is not empty (docs/odds-math.md section 6). */
  arbitrage: boolean;
  selections: BestPrice[];
  /** pre-match or in-play: the phase whose quotes are combined. In-play once any quote of the market is in play (provider flag, or stamped at or after the start time). */
  phase: null | string;
  /** The market's clock: the newest provider time of its quotes (future-stamped ones left out). Quote ages are measured from it. */
  asOf: null | number;
  /** Books of this side held but not combined, by reason: suspended, closed, other-phase, stale, future. */
  leftOut: Record<string, number>;
  /** Why this record's own book is not combined (a leftOut reason), or null when it is. */
  bookLeftOut: null | string;
  /** Backing every selection at the best back prices pays whatever wins, after commission; null when it does not. */
  backBack: null | BackBackArbitrage;
  /** Selections whose best back price beats the best lay price of another book after commission. */
  backLay: BackLayArbitrage[];
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
  /** The book's market status (OPEN, SUSPENDED, CLOSED); null only in records written before it existed. */
  status: null | string;
  /** The provider's event id of this book. */
  sourceEventId: null | string;
  /** The provider's market id of this book. */
  sourceMarketId: null | string;
  /** Commission on net winnings applied to this book, a fraction (0.05): the market base rate when the provider states one, else ODDSFLOW_COMMISSION. */
  commission: null | number;
}

export interface RawPriceLevel {
  price: number;
  size: number;
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
  /** Betfair: the runner's handicap (hc), which with the selection id names the runner in a bet; 0 when the market has none. */
  handicap: null | number;
  /** Exchange: the last price matched (Betfair ltp). */
  lastTradedPrice: null | number;
  /** Exchange: money matched on this runner so far (Betfair runner tv). */
  tradedVolume: null | number;
  /** Exchange: the best three levels offered on this book's side, best first. */
  depth: RawPriceLevel[];
  /** Betfair projected starting price, near (spn). */
  bspNear: null | number;
  /** Betfair projected starting price, far (spf). */
  bspFar: null | number;
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
  /** Exchange commission on net winnings in percent, as the provider states it (Betfair marketDefinition.marketBaseRate: 5 means 5 %). */
  marketBaseRate: null | number;
  /** Exchange: money matched on the market so far (Betfair market tv). */
  totalMatched: null | number;
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

/** A settled event or market with canonical ids. Topic results.normalized (compacted), key eventId:marketId:provider (marketId empty for a result of the whole event), so compaction keeps every market's result of every provider. */
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

/** One selection's features with its market's, flat: a row of the selection_features table and of a training set. Not a topic's value any more: features.market carried one of these per selection until 2026-12 and carries MarketFeatures (one per market) since; a record of before reads as a MarketFeatures of one selection (src/core/serde/market-features.ts), and the schema stays to read such records whatever older version wrote them. */
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
  /** pre-match or in-play: the phase of the quotes behind currentOdds and the consensus. */
  phase: null | string;
  /** Who quotes currentOdds, with the quote's ids at its provider (event, market, selection, handicap). */
  bestBookmaker: null | string;
  bestProvider: null | string;
  sourceEventId: null | string;
  sourceMarketId: null | string;
  sourceSelectionId: null | string;
  handicap: null | number;
  /** The provider's time of the quote behind currentOdds. */
  quoteTime: null | number;
}
