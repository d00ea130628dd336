import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BetfairStreamProcessor } from '../../../../connectors/betfair/stream-processor.js';
import { SimEngine, type SimEngineOptions } from '../../../../connectors/betfair/simulator-engine.js';
import { startBetfairSimulator } from '../../../../connectors/betfair/simulator.js';
import type { RawMarketBook } from '../../../../src/core/generated/avro-types.js';

const engineOptions: SimEngineOptions = {
  seed: 3,
  markets: 6,
  runnersPerMarket: 10,
  eventTypeIds: ['7', '4339'],
  ladderLevels: 3,
  marketLifetimeTicks: undefined,
  historySize: 1000,
  publishTime: (seq) => 1_800_000_000_000 + seq,
};

/** The engine's changes as the connector would see them, through its own processor. */
function booksOf(engine: SimEngine, ticks: number): RawMarketBook[] {
  const processor = new BetfairStreamProcessor({ closedMarketEvictionMs: 60_000 });
  const feed = (mc: unknown[], pt: number) =>
    processor.handleLine(JSON.stringify({ op: 'mcm', pt, mc, clk: engine.clk() }), pt);
  const books: RawMarketBook[] = [];
  const image = feed(engine.image(), 0);
  if (image.kind === 'change') books.push(...image.books);
  for (let i = 0; i < ticks; i++) {
    const change = engine.tick();
    const outcome = change === undefined ? undefined : feed(change.mc, change.pt);
    if (outcome?.kind === 'change') books.push(...outcome.books);
  }
  return books;
}

describe('Betfair simulator', () => {
  it('keeps back books near 100-103 % and lay books near 97-100 % of the places paid', () => {
    const books = booksOf(new SimEngine(engineOptions), 600).filter((b) => b.status === 'OPEN');
    expect(books.length).toBeGreaterThan(300);
    for (const book of books) {
      const total = book.selections
        .filter((s) => s.status === 'ACTIVE')
        .reduce((sum, s) => sum + 1 / Number(s.price), 0);
      const perPlace = total / (book.numberOfPlaces ?? 1);
      // Tick rounding moves a book by a fraction of a percent either way.
      if (book.side === 'back') expect(perPlace).toBeGreaterThan(0.995);
      if (book.side === 'back') expect(perPlace).toBeLessThan(1.035);
      if (book.side === 'lay') expect(perPlace).toBeGreaterThan(0.965);
      if (book.side === 'lay') expect(perPlace).toBeLessThan(1.005);
    }
    expect(new Set(books.map((b) => b.marketType))).toEqual(new Set(['WIN', 'PLACE']));
  });

  it('is deterministic for a seed', () => {
    const a = booksOf(new SimEngine(engineOptions), 200);
    const b = booksOf(new SimEngine(engineOptions), 200);
    const c = booksOf(new SimEngine({ ...engineOptions, seed: 4 }), 200);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('lives markets through scratching, suspension, in-play and settlement, then replaces them', () => {
    const engine = new SimEngine({ ...engineOptions, markets: 2, marketLifetimeTicks: 40, seed: 9 });
    const first = engine.marketIds();
    const changes = Array.from({ length: 200 }, () => engine.tick()).flatMap((c) => c?.mc ?? []);
    const statuses = changes.flatMap((mc) => (mc.marketDefinition ? [mc.marketDefinition.status] : []));
    expect(statuses).toEqual(expect.arrayContaining(['SUSPENDED', 'OPEN', 'CLOSED']));
    const closed = changes.filter((mc) => mc.marketDefinition?.status === 'CLOSED');
    expect(closed.length).toBeGreaterThanOrEqual(4);
    for (const mc of closed) {
      const winners = mc.marketDefinition!.runners.filter((r) => r.status === 'WINNER');
      expect(winners).toHaveLength(mc.marketDefinition!.numberOfWinners!);
      expect(winners.every((r) => typeof r.bsp === 'number')).toBe(true);
    }
    expect(engine.marketIds().some((id) => first.includes(id))).toBe(false);
    expect(changes.some((mc) => mc.marketDefinition?.runners.some((r) => r.status === 'REMOVED'))).toBe(true);
  });

  it('closes a connection whose first message is late, with a TIMEOUT status, as Betfair does', async () => {
    const sim = await startBetfairSimulator({ tls: 'off', firstMessageTimeoutMs: 100 });
    onTestFinished(() => sim.stop());
    const socket = connect({ host: sim.host, port: sim.port });
    const received: string[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk.toString()));
    await once(socket, 'close');
    const messages = received
      .join('')
      .split('\r\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(messages[0]).toMatchObject({ op: 'connection' });
    expect(messages[1]).toMatchObject({
      op: 'status',
      statusCode: 'FAILURE',
      errorCode: 'TIMEOUT',
      connectionClosed: true,
    });
  });

  it('lists horse races as Betfair does: WIN and PLACE of one race, names only in the catalogue', () => {
    const engine = new SimEngine({ ...engineOptions, eventTypeIds: ['7'], markets: 4 });
    const [win, place, nextWin] = engine.catalogue(engine.marketIds());
    expect(win?.description?.marketType).toBe('WIN');
    expect(place?.description?.marketType).toBe('PLACE');
    expect(place?.marketName).toBe('To Be Placed');
    expect(place?.event).toEqual(win?.event);
    expect(place?.marketStartTime).toBe(win?.marketStartTime);
    expect(place?.runners).toEqual(win?.runners);
    expect(nextWin?.event?.venue).not.toBe(win?.event?.venue);
    expect(win?.event?.name).toMatch(/^Ascot \d+(st|nd|rd|th) [A-Z][a-z]{2}$/);
    expect(new Set(win?.runners?.map((r) => r.runnerName)).size).toBe(10);
    expect(win?.runners?.every((r) => /^[A-Z][a-z]+( [A-Z][a-z]+)*$/.test(r.runnerName))).toBe(true);
    // The stream's definitions name nothing, as the live Exchange Stream.
    const image = engine.image();
    expect(image.every((mc) => mc.marketDefinition?.runners.every((r) => r.name === undefined))).toBe(true);
    expect(image.every((mc) => mc.marketDefinition?.eventName === undefined)).toBe(true);
  });

  it('takes a runner withdrawn from the race out of its other market too', () => {
    const engine = new SimEngine({ ...engineOptions, eventTypeIds: ['7'], markets: 2 });
    const [win, place] = engine.marketIds();
    const removed = engine.market(win!)!.removeRunner();
    const gone = removed?.marketDefinition?.runners.find((r) => r.status === 'REMOVED')?.id;
    expect(gone).toEqual(expect.any(Number));
    engine.tick();
    const next = engine.tick();
    expect(next?.mc[0]?.id).toBe(place);
    expect(next?.mc[0]?.marketDefinition?.runners.find((r) => r.id === gone)?.status).toBe('REMOVED');
  });

  it('resumes from a clock with the changes after it, and refuses clocks of another epoch', () => {
    const engine = new SimEngine(engineOptions);
    for (let i = 0; i < 10; i++) engine.tick();
    const clk = engine.clk();
    const at = engine.seqOf(clk)!;
    for (let i = 0; i < 5; i++) engine.tick();
    expect(engine.since(at)?.map((c) => c.seq)).toEqual([11, 12, 13, 14, 15]);
    engine.invalidateClocks();
    expect(engine.seqOf(clk)).toBeUndefined();
  });
});
