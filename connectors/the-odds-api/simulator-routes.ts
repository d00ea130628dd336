import { isoSeconds, toAmerican } from './simulator-prices.js';
import { simMarkets, type SimEvent, type SimMarket, type SimWorld } from './simulator-world.js';

/** An answer the real API gives as `{message, error_code, details_url}` with this status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

export type Route =
  { kind: 'sports' } | { kind: 'odds' | 'scores' | 'events' | 'historical-odds'; sport: string };

export function route(pathname: string): Route | undefined {
  if (/^\/v4\/sports\/?$/.test(pathname)) return { kind: 'sports' };
  const historical = /^\/v4\/historical\/sports\/([^/]+)\/odds\/?$/.exec(pathname);
  if (historical?.[1]) return { kind: 'historical-odds', sport: decodeURIComponent(historical[1]) };
  const m = /^\/v4\/sports\/([^/]+)\/(odds|scores|events)\/?$/.exec(pathname);
  if (!m?.[1] || !m[2]) return undefined;
  return { kind: m[2] as 'odds' | 'scores' | 'events', sport: decodeURIComponent(m[1]) };
}

function list(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export interface SimAnswer {
  body: unknown;
  /** Usage credits the call costs. */
  cost: number;
}

/** The historical endpoint keeps a snapshot every five minutes (https://the-odds-api.com/liveapi/guides/v4/#get-historical-odds). */
export const historicalSnapshotMs = 5 * 60_000;

/**
 * The bodies of the routes over the simulated world, shaped and priced like
 * https://the-odds-api.com/liveapi/guides/v4/: odds cost markets × regions (every 10 bookmakers
 * count as a region), historical odds ten times that, scores 1, or 2 with daysFrom; sports and
 * events are free. `historyAt` gives the world as it stood at a past snapshot time.
 */
export function createSimRoutes(
  world: SimWorld,
  now: () => number,
  historyAt: (snapshotMs: number) => SimWorld = () => world,
): (r: Route, q: URLSearchParams) => SimAnswer {
  const time = (ms: number, unix: boolean): string | number =>
    unix ? Math.floor(ms / 1000) : isoSeconds(ms);

  function oddsBody(sport: string, q: URLSearchParams, from: SimWorld = world): SimAnswer {
    const markets = list(q.get('markets') ?? 'h2h');
    const bad = markets.find((m) => !(simMarkets as readonly string[]).includes(m));
    if (bad) throw new ApiError(422, 'INVALID_MARKET', `Invalid markets: ${bad}`);
    const format = q.get('oddsFormat') ?? 'decimal';
    if (format !== 'decimal' && format !== 'american')
      throw new ApiError(422, 'INVALID_ODDS_FORMAT', 'Invalid oddsFormat');
    const wanted = list(q.get('bookmakers'));
    const regions = list(q.get('regions'));
    if (wanted.length === 0 && regions.length === 0)
      throw new ApiError(422, 'MISSING_REGION', 'Missing regions or bookmakers key');
    // Every 10 bookmakers cost as much as one region.
    const regionCost = wanted.length > 0 ? Math.ceil(wanted.length / 10) : regions.length;
    const books = from.bookmakers.filter((b) =>
      wanted.length > 0 ? wanted.includes(b.key) : regions.includes(b.region),
    );
    const unix = q.get('dateFormat') === 'unix';
    // A bookmaker lists only the markets it offers (exchanges alone have h2h_lay), and none at
    // all while it is absent from the event (the simulator's absenceRate).
    const body = from.openEvents(sport).map((e) => ({
      ...eventHeader(e, unix),
      bookmakers: books
        .filter((b) => from.lists(e, b))
        .map((b) => {
          const updated = time(Math.max(e.lastStepAt - b.lagMs, 0), unix);
          const offered = markets
            .map((m) => ({ key: m, outcomes: from.market(e, b, m as SimMarket) }))
            .filter((m) => m.outcomes.length > 0);
          return {
            key: b.key,
            title: b.title,
            last_update: updated,
            markets: offered.map((m) => ({
              key: m.key,
              last_update: updated,
              outcomes: m.outcomes.map((o) => ({
                ...o,
                price: format === 'american' ? toAmerican(o.price) : o.price,
              })),
            })),
          };
        })
        .filter((b) => b.markets.length > 0),
    }));
    return { body, cost: markets.length * regionCost };
  }

  function eventHeader(e: SimEvent, unix: boolean) {
    return {
      id: e.id,
      sport_key: e.sportKey,
      sport_title: e.sportTitle,
      commence_time: time(e.commenceAt, unix),
      home_team: e.home,
      away_team: e.away,
    };
  }

  function scoresBody(sport: string, q: URLSearchParams): SimAnswer {
    const daysFrom = q.get('daysFrom');
    const days = daysFrom === null ? 0 : Number(daysFrom);
    if (daysFrom !== null && !(Number.isInteger(days) && days >= 1 && days <= 3)) {
      throw new ApiError(422, 'INVALID_DAYS_FROM', 'daysFrom must be 1 to 3');
    }
    const unix = q.get('dateFormat') === 'unix';
    const completed = days > 0 ? world.completedEvents(sport, days * 86_400_000) : [];
    const body = [...completed, ...world.openEvents(sport)].map((e) => {
      const started = e.completed || now() >= e.commenceAt;
      return {
        ...eventHeader(e, unix),
        completed: e.completed,
        scores: started
          ? [
              { name: e.home, score: String(e.homeScore) },
              { name: e.away, score: String(e.awayScore) },
            ]
          : null,
        last_update: started ? time(e.lastStepAt, unix) : null,
      };
    });
    return { body, cost: days > 0 ? 2 : 1 };
  }

  /** The snapshot at or before `date`, wrapped as the historical endpoint wraps it. */
  function historicalOddsBody(sport: string, q: URLSearchParams): SimAnswer {
    const date = Date.parse(q.get('date') ?? '');
    if (Number.isNaN(date))
      throw new ApiError(422, 'INVALID_HISTORICAL_TIMESTAMP', 'date must be an ISO 8601 timestamp');
    const snapshot = Math.floor(Math.min(date, now()) / historicalSnapshotMs) * historicalSnapshotMs;
    const { body, cost } = oddsBody(sport, q, historyAt(snapshot));
    const next = snapshot + historicalSnapshotMs;
    return {
      body: {
        timestamp: isoSeconds(snapshot),
        previous_timestamp: isoSeconds(snapshot - historicalSnapshotMs),
        next_timestamp: next <= now() ? isoSeconds(next) : null,
        data: body,
      },
      cost: cost * 10,
    };
  }

  function answer(r: Route, q: URLSearchParams): SimAnswer {
    if (r.kind === 'sports') {
      const body = world
        .sports()
        .map((s) => ({ ...s, description: s.title, active: true, has_outrights: false }));
      return { body, cost: 0 };
    }
    if (!world.sport(r.sport)) throw new ApiError(404, 'UNKNOWN_SPORT', `Unknown sport: ${r.sport}`);
    if (r.kind === 'odds') return oddsBody(r.sport, q);
    if (r.kind === 'historical-odds') return historicalOddsBody(r.sport, q);
    if (r.kind === 'scores') return scoresBody(r.sport, q);
    return {
      body: world.openEvents(r.sport).map((e) => eventHeader(e, q.get('dateFormat') === 'unix')),
      cost: 0,
    };
  }

  return answer;
}
