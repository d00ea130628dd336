import { describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { parseOddsResponse } from '../../../connectors/the-odds-api/parse-odds.js';
import { createSimRoutes } from '../../../connectors/the-odds-api/simulator-routes.js';
import { createSimWorld, type SimWorldOptions } from '../../../connectors/the-odds-api/simulator-world.js';
import { createWithdrawalTracker } from '../../../connectors/the-odds-api/withdrawals.js';
import { fieldMappingSchema } from '../../../connectors/ws-json/field-mapping.js';
import { parseFrame } from '../../../connectors/ws-json/parse.js';
import {
  simulatorFieldMapping,
  simulatorSubscribe,
  startWsSimulator,
} from '../../../connectors/ws-json/simulator.js';
import type { TransformOutput } from '../../../processors/pipeline/offline-chain.js';
import { createOfflineChain } from '../../../processors/pipeline/offline-chain.js';
import { createEnrichStage } from '../../../processors/pipeline/enrich-stage.js';
import { createPrepareStage } from '../../../processors/pipeline/prepare-stage.js';
import { settingsSchema } from '../../../src/app/config/settings.js';
import { pipelineOptions } from '../../../src/app/roles/processors.js';
import { teamsByLeague } from '../../../src/core/sim/names.js';

const start = Date.UTC(2026, 11, 6, 12);

async function chainAt(now: () => number) {
  const options = await pipelineOptions(settingsSchema.parse({}), now);
  return createOfflineChain(createPrepareStage(options.prepare), createEnrichStage(options.enrich), now);
}

const arbitrages = (outputs: readonly TransformOutput[]) =>
  outputs.filter((o) => o.type === 'pricing' && o.crossBook.arbitrage);

/**
 * The Odds API simulator polled every 3 s for `polls` polls through the connector's parser and
 * withdrawal tracker and the processors' chain, as in the demo (NBA in us, EPL in uk and eu with
 * the exchange's lay side).
 */
async function pollOddsApi(polls: number, options: Partial<SimWorldOptions>) {
  let now = start;
  const world = createSimWorld({
    seed: 7,
    sports: [{ key: 'basketball_nba' }, { key: 'soccer_epl' }],
    bookmakers: 6,
    firstStartMs: 5_000,
    startSpacingMs: 10_000,
    durationMs: 20_000,
    stepMs: 1_000,
    now: () => now,
    ...options,
  });
  const routes = createSimRoutes(world, () => now);
  const chain = await chainAt(() => now);
  const trackers = new Map<string, ReturnType<typeof createWithdrawalTracker>>();
  const outputs: TransformOutput[] = [];
  const queries = [
    ['basketball_nba', 'us', 'h2h,spreads,totals'],
    ['soccer_epl', 'uk,eu', 'h2h,h2h_lay'],
  ] as const;
  for (let i = 0; i < polls; i++) {
    now += 3_000;
    for (const [sport, regions, markets] of queries) {
      const { body } = routes({ kind: 'odds', sport }, new URLSearchParams({ regions, markets }));
      const parsed = parseOddsResponse(body, { oddsFormat: 'decimal', receivedAt: now });
      const tracker = trackers.get(sport) ?? createWithdrawalTracker();
      trackers.set(sport, tracker);
      const facts = { receivedAt: now, complete: parsed.failures.length === 0, events: parsed.events };
      outputs.push(...chain.books([...parsed.books, ...tracker.withdrawals(parsed.books, facts)]));
      tracker.remember(parsed.books, facts);
    }
  }
  return { world, outputs };
}

describe('the simulators', () => {
  it('The Odds API: no arbitrage unless made on purpose, and then some, back-back and back-versus-lay', async () => {
    const honest = await pollOddsApi(150, { arbitrageRate: 0, absenceRate: 0.02 });
    expect(honest.outputs.filter((o) => o.type === 'pricing').length).toBeGreaterThan(5_000);
    expect(arbitrages(honest.outputs)).toEqual([]);
    // Absences and goals take bookmakers off an event: their quotes are withdrawn.
    expect(
      honest.outputs.some(
        (o) => o.type === 'market_book' && o.status === 'SUSPENDED' && o.provider === 'the-odds-api',
      ),
    ).toBe(true);

    const rigged = await pollOddsApi(150, { arbitrageRate: 0.03, absenceRate: 0.02 });
    const found = arbitrages(rigged.outputs).flatMap((o) => (o.type === 'pricing' ? [o.crossBook] : []));
    expect(found.some((c) => c.backBack !== null)).toBe(true);
    expect(found.some((c) => c.backLay.length > 0)).toBe(true);
    // Rarely: a few markets of the hundreds it lists.
    const markets = new Set(
      arbitrages(rigged.outputs).map((o) => (o.type === 'pricing' ? `${o.eventId}:${o.marketId}` : '')),
    );
    const all = new Set(
      rigged.outputs.map((o) => (o.type === 'pricing' ? `${o.eventId}:${o.marketId}` : '')),
    );
    expect(markets.size).toBeLessThan(all.size / 5);
  });

  it('The Odds API: league names, and a pair plays once a day unless a doubleheader is drawn on purpose', () => {
    let now = start;
    const world = (doubleheaders: number) =>
      createSimWorld({
        seed: 3,
        sports: [{ key: 'basketball_nba', events: 20, doubleheaders }],
        bookmakers: 2,
        firstStartMs: 1_000,
        startSpacingMs: 60_000,
        durationMs: 30_000,
        stepMs: 10_000,
        now: () => now,
      });
    const seen = (w: ReturnType<typeof world>) => {
      const games: string[] = [];
      for (let i = 0; i < 40; i++) {
        now += 60_000;
        for (const e of w.openEvents('basketball_nba'))
          games.push(`${e.id}|${[e.home, e.away].sort().join('~')}`);
      }
      const pairs = new Map<string, Set<string>>();
      for (const game of new Set(games)) {
        const [id = '', pair = ''] = game.split('|');
        pairs.set(pair, (pairs.get(pair) ?? new Set()).add(id));
      }
      return pairs;
    };
    now = start;
    const plain = seen(world(0));
    const nba: readonly string[] = teamsByLeague.nba[0];
    for (const pair of plain.keys()) for (const team of pair.split('~')) expect(nba).toContain(team);
    expect(plain.size).toBeGreaterThan(40);
    expect([...plain.values()].every((ids) => ids.size === 1)).toBe(true);
    now = start;
    const doubleheaders = seen(world(0.3));
    expect([...doubleheaders.values()].some((ids) => ids.size > 1)).toBe(true);
  });

  it('WebSocket: every bookmaker re-quotes an update at once, so no arbitrage unless made on purpose', async () => {
    const mapping = fieldMappingSchema.parse(simulatorFieldMapping);
    const run = async (arbitrageRate: number) => {
      const sim = await startWsSimulator({ seed: 3, messagesPerSecond: 2_000, arbitrageRate });
      onTestFinished(() => sim.stop());
      const chain = await chainAt(Date.now);
      const outputs: TransformOutput[] = [];
      const names = new Set<string>();
      const socket = new WebSocket(sim.url);
      socket.on('open', () => socket.send(JSON.stringify(simulatorSubscribe[0])));
      socket.on('message', (data: Buffer) => {
        const parsed = parseFrame(data, mapping, { provider: 'ws-json', receivedAt: Date.now() });
        if (parsed.kind !== 'books') return;
        for (const book of parsed.books) for (const s of book.selections) names.add(s.name ?? '');
        outputs.push(...chain.books(parsed.books));
      });
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      socket.close();
      await sim.stop();
      return { outputs, names };
    };
    const honest = await run(0);
    expect(honest.outputs.filter((o) => o.type === 'pricing').length).toBeGreaterThan(1_000);
    expect(arbitrages(honest.outputs)).toEqual([]);
    // Horses have names (the race card's, as a bookmaker prints them), not numbers.
    expect(
      [...honest.names].some(
        (n) => /^[A-Z][a-z]+( [A-Z][a-z]+)*( \([A-Z]{2,3}\))?$/u.test(n) && !/^Runner /u.test(n),
      ),
    ).toBe(true);
    expect([...honest.names].some((n) => /^Runner \d+$/u.test(n))).toBe(false);
    const rigged = await run(0.05);
    expect(arbitrages(rigged.outputs).length).toBeGreaterThan(0);
  });
});
