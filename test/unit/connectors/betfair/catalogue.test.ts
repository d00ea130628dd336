import { describe, expect, it } from 'vitest';
import type { BettingApi, MarketCatalogue } from '../../../../connectors/betfair/betting-api.js';
import { MarketCatalogueCache, type CatalogueOptions } from '../../../../connectors/betfair/catalogue.js';
import { bookWithCatalogue, resultWithCatalogue } from '../../../../connectors/betfair/catalogue-names.js';
import type { SessionSource } from '../../../../connectors/betfair/session-keeper.js';
import { SessionRejectedError } from '../../../../connectors/betfair/status-errors.js';
import { ProviderError } from '../../../../src/core/errors.js';
import type { RawMarketBook, RawResult } from '../../../../src/core/generated/avro-types.js';
import { testDeps } from './helpers.js';
import { noExchangeData, noExchangeMarketData } from '../../../../connectors/contract.js';

const entry = (marketId: string, extra: Partial<MarketCatalogue> = {}): MarketCatalogue => ({
  marketId,
  marketName: 'R3 1200m Hcap',
  marketStartTime: '2027-03-01T05:44:00.000Z',
  event: { id: '3301', name: 'Lismore (AUS) 1st Mar', venue: 'Lismore', countryCode: 'AU' },
  competition: null,
  runners: [
    { selectionId: 11, runnerName: '1. Gap Year', handicap: 0 },
    { selectionId: 12, runnerName: '2. Scarlet Tide', handicap: 0 },
  ],
  ...extra,
});

/** The Betting API as a script (the HTTP client itself is tested against the simulator). */
class ScriptedApi implements BettingApi {
  readonly calls: { token: string; ids: string[] }[] = [];
  refuse = new Set<string>();
  fault: Error | undefined;
  listed = (id: string) => id !== '1.404';

  listMarketCatalogue(token: string, ids: readonly string[]) {
    this.calls.push({ token, ids: [...ids] });
    if (this.refuse.has(token))
      return Promise.reject(new SessionRejectedError('INVALID_SESSION_INFORMATION', 'x'));
    if (this.fault !== undefined) return Promise.reject(this.fault);
    return Promise.resolve({ markets: ids.filter(this.listed).map((id) => entry(id)), rejected: [] });
  }
}

class Tokens implements SessionSource {
  current = 'first';
  renewals = 0;
  token = () => Promise.resolve(this.current);
  renew = (refused: string) => {
    if (refused === this.current) {
      this.renewals++;
      this.current = `renewed-${this.renewals}`;
    }
    return Promise.resolve(this.current);
  };
}

async function cache(options: Partial<CatalogueOptions> = {}) {
  const t = await testDeps();
  const api = new ScriptedApi();
  const tokens = new Tokens();
  let now = 0;
  const catalogue = new MarketCatalogueCache(
    { maxMarkets: 100, batchSize: 2, waitMs: 1_000, retryMs: 60_000, minIntervalMs: 0, ...options },
    {
      api,
      session: tokens,
      breakers: t.deps.breakers,
      logger: t.deps.logger,
      metrics: t.metrics,
      now: () => now,
    },
  );
  return { catalogue, api, tokens, logs: t.logs, advance: (ms: number) => (now += ms) };
}

describe('MarketCatalogueCache', () => {
  it('fetches only what it lacks, in batches, and answers from memory afterwards', async () => {
    const { catalogue, api } = await cache();
    await catalogue.ensure(['1.1', '1.2', '1.3', '1.1']);
    expect(api.calls.map((c) => c.ids)).toEqual([['1.1', '1.2'], ['1.3']]);
    expect(catalogue.get('1.3')?.runners?.[0]?.runnerName).toBe('1. Gap Year');
    await catalogue.ensure(['1.2', '1.3']);
    expect(api.calls).toHaveLength(2);
  });

  it('asks again for a market the catalogue did not list only after retryMs', async () => {
    const { catalogue, api, advance } = await cache();
    await catalogue.ensure(['1.404']);
    await catalogue.ensure(['1.404']);
    expect(api.calls).toHaveLength(1);
    advance(60_000);
    await catalogue.ensure(['1.404']);
    expect(api.calls).toHaveLength(2);
    expect(catalogue.get('1.404')).toBeUndefined();
  });

  it('renews a refused session once and repeats the call with the new token', async () => {
    const { catalogue, api, tokens } = await cache();
    api.refuse.add('first');
    await catalogue.ensure(['1.1']);
    expect(api.calls.map((c) => c.token)).toEqual(['first', 'renewed-1']);
    expect(tokens.renewals).toBe(1);
    expect(catalogue.get('1.1')).toBeDefined();
  });

  it('goes on without names when the API fails, says so once per call, and retries later', async () => {
    const { catalogue, api, logs, advance } = await cache();
    api.fault = new ProviderError('PROVIDER_UNAVAILABLE', 'betfair', 'listMarketCatalogue: HTTP 503');
    await catalogue.ensure(['1.1']);
    expect(catalogue.get('1.1')).toBeUndefined();
    expect(logs().filter((l) => l.msg.includes('market catalogue not fetched'))).toHaveLength(1);
    api.fault = undefined;
    await catalogue.ensure(['1.1']);
    expect(api.calls).toHaveLength(1);
    advance(60_000);
    await catalogue.ensure(['1.1']);
    expect(catalogue.get('1.1')).toBeDefined();
  });

  it('waits at most waitMs for a slow answer, which still lands for later records', async () => {
    const { catalogue, api } = await cache({ waitMs: 20 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const list = api.listMarketCatalogue.bind(api);
    api.listMarketCatalogue = async (token, ids) => {
      await gate;
      return list(token, ids);
    };
    await catalogue.ensure(['1.1']);
    expect(catalogue.get('1.1')).toBeUndefined();
    release();
    await catalogue.ensure(['1.1']);
    expect(catalogue.get('1.1')).toBeDefined();
    expect(api.calls).toHaveLength(1);
  });

  it('keeps at most maxMarkets, the least recently used going first', async () => {
    const { catalogue } = await cache({ maxMarkets: 2 });
    await catalogue.ensure(['1.1', '1.2']);
    catalogue.get('1.1');
    await catalogue.ensure(['1.3']);
    expect([catalogue.peek('1.1'), catalogue.peek('1.2'), catalogue.peek('1.3')].map(Boolean)).toEqual([
      true,
      false,
      true,
    ]);
    expect(catalogue.size).toBe(2);
  });
});

const book = (
  selections: Partial<RawMarketBook['selections'][number]>[],
  extra: Partial<RawMarketBook> = {},
) =>
  ({
    provider: 'betfair',
    sourceEventId: '3301',
    sourceMarketId: '1.1',
    sport: '7',
    competition: null,
    eventName: null,
    homeTeam: null,
    awayTeam: null,
    venue: 'Lismore',
    raceNumber: null,
    startTime: Date.parse('2027-03-01T05:44:00Z'),
    marketType: 'WIN',
    marketName: null,
    bookmaker: 'betfair',
    side: 'back',
    status: 'OPEN',
    inPlay: false,
    numberOfPlaces: null,
    priceFormat: 'decimal',
    selections: selections.map((s) => ({
      sourceSelectionId: '11',
      name: null,
      price: '3.5',
      point: null,
      size: 10,
      status: 'ACTIVE',
      ...noExchangeData(),
      ...s,
    })),
    eventTime: 0,
    receivedAt: 0,
    payload: '[]',
    ...noExchangeMarketData,
    ...extra,
  }) satisfies RawMarketBook;

describe('naming records from the catalogue', () => {
  it('fills event, market and runner names and the race number, keeping what the stream said', () => {
    const named = bookWithCatalogue(
      book(
        [
          { sourceSelectionId: '11' },
          { sourceSelectionId: '12', name: 'Stream Name' },
          { sourceSelectionId: '13' },
        ],
        {
          venue: 'Lismore Turf',
        },
      ),
      entry('1.1'),
    );
    expect(named).toMatchObject({
      eventName: 'Lismore (AUS) 1st Mar',
      marketName: 'R3 1200m Hcap',
      raceNumber: 3,
      venue: 'Lismore Turf',
    });
    expect(named.selections.map((s) => s.name)).toEqual(['1. Gap Year', 'Stream Name', null]);
  });

  it('matches a handicap market runner by selection id and line', () => {
    const catalogue = entry('1.1', {
      runners: [
        { selectionId: 11, runnerName: 'Home -1.5', handicap: -1.5 },
        { selectionId: 11, runnerName: 'Home -0.5', handicap: -0.5 },
      ],
    });
    const named = bookWithCatalogue(book([{ point: -0.5 }, { point: -1.5 }, { point: 2 }]), catalogue);
    expect(named.selections.map((s) => s.name)).toEqual(['Home -0.5', 'Home -1.5', null]);
  });

  it('names the runners of a result, and leaves a record alone without a catalogue entry', () => {
    const result: RawResult = {
      provider: 'betfair',
      sourceEventId: '3301',
      sourceMarketId: '1.1',
      sport: '7',
      competition: null,
      eventName: null,
      homeTeam: null,
      awayTeam: null,
      venue: null,
      raceNumber: null,
      startTime: null,
      marketType: 'WIN',
      numberOfPlaces: null,
      completed: true,
      scores: [],
      runners: [{ sourceSelectionId: '12', name: null, status: 'WINNER', bsp: 4.2 }],
      eventTime: 0,
      receivedAt: 0,
      payload: '[]',
    };
    expect(resultWithCatalogue(result, entry('1.1'))).toMatchObject({
      venue: 'Lismore',
      raceNumber: 3,
      startTime: Date.parse('2027-03-01T05:44:00Z'),
      runners: [{ name: '2. Scarlet Tide' }],
    });
    expect(resultWithCatalogue(result, undefined)).toBe(result);
  });
});
