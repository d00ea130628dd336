import { RaceCard } from '../../../../src/core/sim/race-card.js';
import { seededRandom } from '../../../../src/core/sim/random.js';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import WebSocket from 'ws';
import { fieldMappingSchema } from '../../../../connectors/ws-json/field-mapping.js';
import { parseFrame } from '../../../../connectors/ws-json/parse.js';
import {
  createEvent,
  defaultSimBookmakers,
  printPrice,
  quote,
  simBookRange,
  simSports,
  stepEvent,
  type SimEvent,
} from '../../../../connectors/ws-json/simulator-markets.js';
import { simulatorFieldMapping, startWsSimulator } from '../../../../connectors/ws-json/simulator.js';

/** Independent of the enrich stage on purpose: the simulator must be checked against plain arithmetic. */
function toDecimal(price: string, format: string): number {
  if (format === 'decimal') return Number(price);
  if (format === 'american') {
    const n = Number(price);
    return n > 0 ? 1 + n / 100 : 1 - 100 / n;
  }
  const [num = NaN, den = NaN] = price.split('/').map(Number);
  return 1 + num / den;
}

function runModel(seed: number, visit: (event: SimEvent) => void): void {
  const random = seededRandom(seed);
  const card = new RaceCard({ seed, firstStart: 0 });
  for (const sport of simSports) {
    for (let serial = 0; serial < 8; serial++) {
      const event = createEvent(sport, serial, 0, 100, random, card.race(serial));
      while (event.status !== 'closed') {
        stepEvent(event, random);
        visit(event);
      }
    }
  }
}

describe('simulator market model', () => {
  it('quotes every book between 102 % and 110 %, in every format', () => {
    const random = seededRandom(99);
    let books = 0;
    runModel(3, (event) => {
      for (const bookmaker of defaultSimBookmakers) {
        const outcomes = quote(event, bookmaker, random);
        const sum = outcomes.reduce(
          (s, o) => s + (o.price === null ? 0 : 1 / toDecimal(o.price, bookmaker.format)),
          0,
        );
        expect(sum).toBeGreaterThanOrEqual(simBookRange.min);
        expect(sum).toBeLessThanOrEqual(simBookRange.max + 1e-12);
        books += 1;
      }
    });
    expect(books).toBeGreaterThan(1000);
  });

  it('scratches runners (never below three), closes markets and goes in play', () => {
    let scratched = 0;
    let live = 0;
    let minRunners = Infinity;
    runModel(5, (event) => {
      const running = event.runners.filter((r) => !r.scratched).length;
      if (event.sport === 'horse_racing') minRunners = Math.min(minRunners, running);
      scratched += event.runners.length - running;
      if (event.live) live += 1;
      if (event.status === 'closed') expect(event.updatesLeft).toBe(0);
    });
    expect(scratched).toBeGreaterThan(0);
    expect(minRunners).toBeGreaterThanOrEqual(3);
    expect(live).toBeGreaterThan(0);
  });

  it('is deterministic for a seed', () => {
    const trace = (seed: number) => {
      const out: string[] = [];
      runModel(seed, (e) => out.push(e.runners.map((r) => r.logit.toFixed(6)).join(',')));
      return out;
    };
    expect(trace(8)).toEqual(trace(8));
    expect(trace(8)).not.toEqual(trace(9));
  });

  it.each([
    [2.5, 'decimal', '2.50'],
    [1.918, 'decimal', '1.91'],
    [2.5, 'american', '+150'],
    [1.8, 'american', '-125'],
    [3.6, 'fractional', '5/2'],
    [1.95, 'fractional', '10/11'],
    [1.001, 'decimal', '1.01'],
  ] as const)('prints %s as %s "%s", rounded against the bettor', (decimal, format, text) => {
    const printed = printPrice(decimal, format);
    expect(printed.text).toBe(text);
    expect(printed.decimal).toBeCloseTo(toDecimal(text, format), 12);
  });
});

describe('startWsSimulator', () => {
  async function client(url: string) {
    const socket = new WebSocket(url);
    onTestFinished(() => socket.terminate());
    const frames: Record<string, unknown>[] = [];
    socket.on('message', (data: Buffer) => {
      try {
        frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
      } catch {
        frames.push({ type: 'unparseable' });
      }
    });
    await new Promise((resolve) => socket.once('open', resolve));
    return { socket, frames };
  }

  it('sends nothing but heartbeats before a subscription, then a snapshot and a stream', async () => {
    const sim = await startWsSimulator({ seed: 2, messagesPerSecond: 300, heartbeatMs: 50 });
    onTestFinished(() => sim.stop());
    const { socket, frames } = await client(sim.url);
    await vi.waitFor(() => expect(frames.some((f) => f.type === 'heartbeat')).toBe(true));
    expect(frames.every((f) => f.type === 'heartbeat')).toBe(true);

    socket.send(JSON.stringify({ op: 'subscribe', sports: ['horse_racing'] }));
    await vi.waitFor(() => expect(frames.filter((f) => f.type === 'odds').length).toBeGreaterThan(30));
    const odds = frames.filter((f) => f.type === 'odds');
    expect(frames.find((f) => f.type === 'subscribed')).toEqual({
      type: 'subscribed',
      sports: ['horse_racing'],
    });
    // Snapshot: every default event of the sport (2) from every bookmaker (4) right after the ack.
    expect(
      odds
        .slice(0, 8)
        .map((f) => (f.bookmaker as { key: string }).key)
        .sort(),
    ).toEqual(defaultSimBookmakers.flatMap((b) => [b.key, b.key]).sort());
    expect(odds.every((f) => (f.event as { sport: string }).sport === 'horse_racing')).toBe(true);

    const mapping = fieldMappingSchema.parse(simulatorFieldMapping);
    const parsed = odds.map((f) =>
      parseFrame(JSON.stringify(f), mapping, { provider: 'ws-json', receivedAt: 0 }),
    );
    expect(parsed.every((p) => p.kind === 'books')).toBe(true);
  });

  it('answers an unknown request with an error frame', async () => {
    const sim = await startWsSimulator({ seed: 2 });
    onTestFinished(() => sim.stop());
    const { socket, frames } = await client(sim.url);
    socket.send('{"op":"unsubscribe"}');
    await vi.waitFor(() => expect(frames.find((f) => f.type === 'error')).toBeDefined());
    expect(sim.stats.subscribes).toBe(0);
  });

  it('injects faults at the configured rates', async () => {
    const sim = await startWsSimulator({ seed: 4, messagesPerSecond: 400, oversizedBytes: 1024 });
    onTestFinished(() => sim.stop());
    const { socket } = await client(sim.url);
    socket.send(JSON.stringify({ op: 'subscribe', sports: [...simSports] }));
    sim.setFaults({ malformedRate: 0.2, invalidRate: 0.2, oversizedRate: 0.2 });
    await vi.waitFor(() => expect(sim.stats.messages).toBeGreaterThan(100));
    expect(sim.stats.malformed).toBeGreaterThan(0);
    expect(sim.stats.invalid).toBeGreaterThan(0);
    expect(sim.stats.oversized).toBeGreaterThan(0);
  });
});
