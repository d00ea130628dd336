import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { startPacer } from '../../src/core/sim/pacer.js';
import { raceCardFrom, type RaceCard } from '../../src/core/sim/race-card.js';
import { seededRandom } from '../../src/core/sim/random.js';
import type { FieldMappingInput } from './field-mapping.js';
import {
  createEvent,
  defaultSimBookmakers,
  quote,
  simSports,
  stepEvent,
  type PairsByDay,
  type SimBookmaker,
  type SimEvent,
  type SimSport,
} from './simulator-markets.js';

/**
 * A local odds feed for tests and the demo: a WebSocket server on 127.0.0.1 that answers
 * `{"op":"subscribe","sports":[...]}` with a snapshot of every book of those sports, then pushes
 * one bookmaker's book of one market per message, with heartbeats and injectable faults.
 */

export interface WsSimulatorOptions {
  /** 127.0.0.1 and a free port by default; 0.0.0.0 to serve other hosts (a container network). */
  host?: string;
  port?: number;
  seed?: number;
  /** Odds messages per second across all events. */
  messagesPerSecond?: number;
  eventsPerSport?: number;
  bookmakers?: readonly SimBookmaker[];
  heartbeatMs?: number;
  /** Size of an oversized frame (it must exceed the client's maxPayload). */
  oversizedBytes?: number;
  now?: () => number;
  /**
   * The horse races it quotes; share one with the Betfair simulator and the races open on the
   * exchange are quoted here too, ending when the exchange has run them. Default: its own card.
   */
  raceCard?: RaceCard;
  /**
   * Chance per price update that one bookmaker misprices one selection (mispriceFactor too long):
   * an arbitrage made on purpose, rarely. 0 by default; the demo sets a small rate.
   */
  arbitrageRate?: number;
}

export interface WsFaults {
  /** Per-message probability of a truncated (unparseable) frame. */
  malformedRate: number;
  /** Per-message probability of valid JSON without the event id (a mapping failure). */
  invalidRate: number;
  oversizedRate: number;
  /** Per-message probability of cutting every connection. */
  dropRate: number;
  /** Send nothing and answer no ping, keeping the TCP connection open. */
  silent: boolean;
}

export interface WsSimulatorStats {
  connections: number;
  open: number;
  subscribes: number;
  messages: number;
  malformed: number;
  invalid: number;
  oversized: number;
  drops: number;
  pings: number;
}

export interface WsSimulator {
  url: string;
  stats: Readonly<WsSimulatorStats>;
  setFaults(faults: Partial<WsFaults>): void;
  /** One fault now, to every subscribed connection (`drop` cuts them all). */
  inject(fault: 'malformed' | 'invalid' | 'oversized' | 'drop'): void;
  stop(): Promise<void>;
}

export const simulatorSubscribe = [{ op: 'subscribe', sports: [...simSports] }];

/** The mapping that reads the simulator's messages (the demo configures ws-json with it). */
export const simulatorFieldMapping = {
  filter: [{ path: 'type', equals: 'odds' }],
  books: '$',
  selections: 'outcomes[*]',
  timeFormat: 'auto',
  book: {
    eventId: 'event.id',
    eventName: 'event.name',
    sport: 'event.sport',
    competition: 'event.league',
    venue: 'event.venue',
    homeTeam: 'event.home',
    awayTeam: 'event.away',
    startTime: 'event.startsAt',
    inPlay: 'event.live',
    marketId: 'market.id',
    marketType: 'market.key',
    marketName: 'market.name',
    numberOfPlaces: 'market.places',
    status: 'market.status',
    bookmaker: 'bookmaker.key',
    priceFormat: 'bookmaker.format',
    timestamp: 'ts',
  },
  selection: {
    id: 'id',
    name: 'name',
    price: 'price',
    status: { path: 'status', map: { active: 'ACTIVE', scratched: 'REMOVED' } },
  },
} satisfies FieldMappingInput;

export async function startWsSimulator(options: WsSimulatorOptions = {}): Promise<WsSimulator> {
  const random = seededRandom(options.seed ?? 1);
  const now = options.now ?? Date.now;
  const bookmakers = options.bookmakers ?? defaultSimBookmakers;
  const perSecond = options.messagesPerSecond ?? 50;
  const eventsPerSport = options.eventsPerSport ?? 2;
  // Every update re-quotes the event at all its bookmakers (below), one message each.
  const msPerUpdate = (1000 / perSecond) * eventsPerSport * simSports.length * bookmakers.length;
  const faults: WsFaults = { malformedRate: 0, invalidRate: 0, oversizedRate: 0, dropRate: 0, silent: false };
  const stats: WsSimulatorStats = {
    connections: 0,
    open: 0,
    subscribes: 0,
    messages: 0,
    malformed: 0,
    invalid: 0,
    oversized: 0,
    drops: 0,
    pings: 0,
  };
  const subscriptions = new Map<WebSocket, Set<string>>();
  let serial = 0;
  let seq = 0;
  const card = options.raceCard ?? raceCardFrom(now(), options.seed ?? 1);
  // Races open elsewhere (on the exchange) first, then the card's next races in order.
  const quoted = new Set<number>();
  let cursor = 0;
  const nextRace = () => {
    let index = card.openRaces().find((i) => !quoted.has(i));
    if (index === undefined) {
      while (quoted.has(cursor) || card.hasRun(cursor)) cursor++;
      index = cursor;
    }
    quoted.add(index);
    return card.race(index);
  };
  const pairs: PairsByDay = new Map();
  const newEvent = (sport: SimSport) => {
    const event = createEvent(
      sport,
      ++serial,
      now(),
      msPerUpdate,
      random,
      sport === 'horse_racing' ? nextRace() : undefined,
      pairs,
    );
    // A race starts from the card's form now, not its runners' base strength: the first update
    // would otherwise jump by the form's swing, and books quoted either side of it disagree.
    if (event.race !== null) {
      const form = card.form(event.race, now());
      event.runners.forEach((runner, i) => (runner.logit = form[i] ?? runner.logit));
    }
    return event;
  };
  const events: SimEvent[] = simSports.flatMap((sport) =>
    Array.from({ length: eventsPerSport }, () => newEvent(sport)),
  );
  // Deliberate errors draw from their own generator, so a seed gives the same markets either way.
  const errorRandom = seededRandom((options.seed ?? 1) ^ 0x5bd1e995);

  const message = (event: SimEvent, bookmaker: SimBookmaker, mispricedRunner?: string) => ({
    type: 'odds',
    seq: ++seq,
    ts: now(),
    event: {
      id: event.id,
      name: event.name,
      sport: event.sport,
      league: event.league,
      startsAt: new Date(event.startsAt).toISOString(),
      venue: event.venue,
      home: event.home,
      away: event.away,
      live: event.live,
    },
    market: {
      id: `${event.id}:${event.marketKey}`,
      key: event.marketKey,
      name: event.marketName,
      status: event.status,
      places: event.places,
    },
    bookmaker: { key: bookmaker.key, format: bookmaker.format },
    outcomes: quote(event, bookmaker, random, mispricedRunner),
  });

  const send = (socket: WebSocket, data: string) => {
    if (socket.readyState !== socket.OPEN) return;
    socket.send(data);
    stats.messages += 1;
  };

  // Faults draw from their own generator so that a seed gives the same markets with or without them.
  const faultRandom = seededRandom((options.seed ?? 1) ^ 0x9e3779b9);
  const corrupt = (fault: 'malformed' | 'invalid' | 'oversized', text: string): string => {
    stats[fault] += 1;
    if (fault === 'malformed') return text.slice(0, Math.floor(text.length / 2));
    if (fault === 'invalid') return text.replace(/"event":\{"id":"[^"]*",/, '"event":{');
    return `${text.slice(0, -1)},"padding":"${'x'.repeat(options.oversizedBytes ?? 2 * 1024 * 1024)}"}`;
  };
  const faulty = (text: string): string => {
    if (faultRandom() < faults.malformedRate) return corrupt('malformed', text);
    if (faultRandom() < faults.invalidRate) return corrupt('invalid', text);
    if (faultRandom() < faults.oversizedRate) return corrupt('oversized', text);
    return text;
  };

  const broadcast = (sport: SimSport, text: string) => {
    if (faults.silent) return;
    if (faultRandom() < faults.dropRate) return dropAll();
    for (const [socket, sports] of subscriptions) if (sports.has(sport)) send(socket, faulty(text));
  };

  const dropAll = () => {
    stats.drops += 1;
    for (const socket of subscriptions.keys()) socket.terminate();
  };

  /**
   * One price update: the event moves, and every bookmaker re-quotes it at once. Bookmakers that
   * quoted different instants of a moving game would disagree by the move, and their books
   * together would look like an arbitrage that no one could take; the deliberate ones come from
   * arbitrageRate alone.
   */
  const tick = () => {
    const index = Math.floor(random() * events.length);
    const event = events[index];
    if (event === undefined) return;
    const race = event.race;
    stepEvent(
      event,
      random,
      race === null
        ? undefined
        : {
            form: card.form(race, now()),
            withdrawn: card.withdrawn(race.index),
            run: card.hasRun(race.index),
          },
    );
    const rogue =
      event.status === 'open' && errorRandom() < (options.arbitrageRate ?? 0)
        ? {
            bookmaker: bookmakers[Math.floor(errorRandom() * bookmakers.length)]?.key,
            runner: event.runners[Math.floor(errorRandom() * event.runners.length)]?.id,
          }
        : undefined;
    for (const bookmaker of bookmakers) {
      const mispriced = rogue?.bookmaker === bookmaker.key ? rogue.runner : undefined;
      broadcast(event.sport, JSON.stringify(message(event, bookmaker, mispriced)));
    }
    if (event.status === 'closed') events[index] = newEvent(event.sport);
  };

  const server = new WebSocketServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    autoPong: false,
  });
  server.on('connection', (socket) => {
    stats.connections += 1;
    stats.open += 1;
    subscriptions.set(socket, new Set());
    socket.on('ping', (data) => {
      stats.pings += 1;
      if (!faults.silent) socket.pong(data);
    });
    socket.on('message', (data: Buffer) => {
      let request: { op?: unknown; sports?: unknown };
      try {
        request = JSON.parse(data.toString()) as typeof request;
      } catch {
        return send(socket, JSON.stringify({ type: 'error', message: 'not JSON' }));
      }
      if (request.op !== 'subscribe' || !Array.isArray(request.sports)) {
        return send(
          socket,
          JSON.stringify({ type: 'error', message: 'expected {"op":"subscribe","sports":[...]}' }),
        );
      }
      stats.subscribes += 1;
      const sports = request.sports.filter((s): s is string => typeof s === 'string');
      for (const sport of sports) subscriptions.get(socket)?.add(sport);
      send(socket, JSON.stringify({ type: 'subscribed', sports }));
      for (const event of events) {
        if (!sports.includes(event.sport) || faults.silent) continue;
        for (const bookmaker of bookmakers) send(socket, JSON.stringify(message(event, bookmaker)));
      }
    });
    socket.on('close', () => {
      stats.open -= 1;
      subscriptions.delete(socket);
    });
    socket.on('error', () => undefined);
  });
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  // A tick sends one message per bookmaker.
  const pacer = startPacer((count) => {
    for (let i = 0; i < count; i++) tick();
  }, perSecond / bookmakers.length);
  const heartbeat = setInterval(() => {
    for (const socket of subscriptions.keys())
      if (!faults.silent) send(socket, JSON.stringify({ type: 'heartbeat', ts: now() }));
  }, options.heartbeatMs ?? 5_000);

  return {
    url: `ws://127.0.0.1:${port}/feed`,
    stats,
    setFaults: (next) => Object.assign(faults, next),
    inject(fault) {
      if (fault === 'drop') return dropAll();
      const event = events.find((e) => [...subscriptions.values()].some((s) => s.has(e.sport)));
      const bookmaker = bookmakers[0];
      if (event === undefined || bookmaker === undefined) return;
      const text = JSON.stringify(message(event, bookmaker));
      for (const [socket, sports] of subscriptions)
        if (sports.has(event.sport)) send(socket, corrupt(fault, text));
    },
    async stop() {
      pacer.stop();
      clearInterval(heartbeat);
      for (const socket of subscriptions.keys()) socket.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
