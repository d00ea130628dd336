import { describe, expect, it } from 'vitest';
import { emptyAliasTables } from '../../../../processors/normalize/aliases.js';
import { canonicalEvent } from '../../../../processors/normalize/event-id.js';
import { EventRegistry } from '../../../../processors/normalize/event-registry.js';
import { createEnrichStage } from '../../../../processors/pipeline/enrich-stage.js';
import { createOfflineChain, type TransformOutput } from '../../../../processors/pipeline/offline-chain.js';
import { createPrepareStage } from '../../../../processors/pipeline/prepare-stage.js';
import { settingsSchema } from '../../../../src/app/config/settings.js';
import type { RawMarketBook } from '../../../../src/core/generated/avro-types.js';
import { pipelineOptions } from '../../../../src/app/roles/processors.js';
import { rawBook, rawResult, selection } from './raw-records.js';

const at = (hhmm: string) => Date.parse(`2026-07-04T${hhmm}:00Z`);
const minutes = 60_000;

/** A Yankees–Red Sox h2h book of `provider`'s event `id` starting at `start`. */
function game(provider: string, id: string, start: number, bookmaker = provider): RawMarketBook {
  return rawBook({
    provider,
    sourceEventId: id,
    sport: 'baseball_mlb',
    homeTeam: 'New York Yankees',
    awayTeam: 'Boston Red Sox',
    startTime: start,
    bookmaker,
    selections: [selection('New York Yankees', '1.80'), selection('Boston Red Sox', '2.10')],
    eventTime: start - 3 * 3_600_000,
    receivedAt: start - 3 * 3_600_000,
  });
}

const registry = (toleranceMs = 60 * minutes) => new EventRegistry({ toleranceMs });
const idOf = (events: EventRegistry, book: RawMarketBook) =>
  events.resolve(canonicalEvent(book, emptyAliasTables), book);

describe('EventRegistry', () => {
  it('gives the first event of a pair the plain id and a second one that day its start time', () => {
    const events = registry();
    expect(idOf(events, game('the-odds-api', 'a1', at('17:05')))).toBe(
      'baseball/2026-07-04/boston-red-sox~new-york-yankees',
    );
    expect(idOf(events, game('the-odds-api', 'a2', at('23:10')))).toBe(
      'baseball/2026-07-04/boston-red-sox~new-york-yankees/2310',
    );
    // The same provider event keeps its id, whatever start time a later record gives.
    expect(idOf(events, game('the-odds-api', 'a1', at('17:45')))).toBe(
      'baseball/2026-07-04/boston-red-sox~new-york-yankees',
    );
  });

  it("joins another provider's books of one event within the tolerance, the nearest event first", () => {
    const events = registry();
    const first = idOf(events, game('the-odds-api', 'a1', at('17:05')));
    const second = idOf(events, game('the-odds-api', 'a2', at('23:10')));
    expect(idOf(events, game('betfair', 'b2', at('23:07')))).toBe(second);
    expect(idOf(events, game('betfair', 'b1', at('17:00')))).toBe(first);
    // Beyond the tolerance it is an event of its own.
    expect(idOf(registry(5 * minutes), game('x', '1', at('17:00')))).toBe(first);
    const strict = registry(5 * minutes);
    idOf(strict, game('the-odds-api', 'a1', at('17:05')));
    expect(idOf(strict, game('betfair', 'b1', at('17:20')))).toBe(`${first}/1720`);
  });

  it('never puts two events of one provider under one id, however close their start times', () => {
    const events = registry();
    const one = idOf(events, game('sim', 'g1', at('12:00')));
    const two = idOf(events, game('sim', 'g2', at('12:00')));
    const three = idOf(events, game('sim', 'g3', at('12:00')));
    expect(new Set([one, two, three]).size).toBe(3);
    expect(two).toBe(`${one}/1200`);
    expect(three).toBe(`${one}/1200-2`);
  });

  it('joins across midnight UTC within the tolerance, under the first id', () => {
    const events = registry();
    const late = idOf(events, game('a', '1', Date.parse('2026-07-04T23:58:00Z')));
    expect(idOf(events, game('b', '9', Date.parse('2026-07-05T00:03:00Z')))).toBe(late);
  });

  it('leaves races and events without a pair of teams alone', () => {
    const events = registry();
    const race = rawBook({
      sport: '7',
      homeTeam: null,
      awayTeam: null,
      venue: 'Ascot',
      marketType: 'WIN',
      startTime: at('14:30'),
    });
    expect(idOf(events, race)).toBe('horse-racing/2026-07-04/ascot/1430');
  });
});

describe('two same-day games of one pair from two providers (issue 18)', () => {
  async function run(books: readonly RawMarketBook[], results: Parameters<typeof rawResult>[0][] = []) {
    const now = () => at('12:00');
    const options = await pipelineOptions(settingsSchema.parse({}), now);
    const chain = createOfflineChain(
      createPrepareStage(options.prepare),
      createEnrichStage(options.enrich),
      now,
    );
    return [...chain.books(books), ...chain.results(results.map((r) => rawResult(r)))];
  }
  const bookEvents = (outputs: TransformOutput[]) => {
    const byEvent = new Map<string, Set<string>>();
    for (const o of outputs) {
      if (o.type !== 'market_book') continue;
      byEvent.set(o.eventId, (byEvent.get(o.eventId) ?? new Set()).add(`${o.provider}:${o.sourceEventId}`));
    }
    return byEvent;
  };

  // A doubleheader: game 1 at 17:05, game 2 at 23:10; the exchange lists them a few minutes off.
  const oddsApi1 = game('the-odds-api', 'oa-1', at('17:05'), 'draftkings');
  const oddsApi2 = game('the-odds-api', 'oa-2', at('23:10'), 'draftkings');
  const feed1 = game('ws-json', 'feed-1', at('17:08'), 'northbet');
  const feed2 = game('ws-json', 'feed-2', at('23:05'), 'northbet');

  it.each([
    ['provider by provider', [oddsApi1, oddsApi2, feed1, feed2]],
    ['interleaved', [oddsApi1, feed1, oddsApi2, feed2]],
    ['second game first', [feed2, oddsApi2, oddsApi1, feed1]],
  ])('makes two events, each with both providers’ books (%s)', async (_, books) => {
    const byEvent = bookEvents(await run(books));
    expect(byEvent.size).toBe(2);
    const sets = [...byEvent.values()].map((s) => [...s].sort());
    expect(sets).toContainEqual(['the-odds-api:oa-1', 'ws-json:feed-1']);
    expect(sets).toContainEqual(['the-odds-api:oa-2', 'ws-json:feed-2']);
  });

  it("keeps the two games' prices apart in the cross-book state, and files each result under its game", async () => {
    const outputs = await run(
      [oddsApi1, oddsApi2, feed1, feed2],
      [
        {
          provider: 'the-odds-api',
          sourceEventId: 'oa-2',
          sport: 'baseball_mlb',
          homeTeam: 'New York Yankees',
          awayTeam: 'Boston Red Sox',
          startTime: at('23:10'),
          scores: [
            { name: 'New York Yankees', score: '3' },
            { name: 'Boston Red Sox', score: '5' },
          ],
        },
      ],
    );
    const game2 = [...bookEvents(outputs)].find(([, s]) => s.has('the-odds-api:oa-2'))![0];
    const pricing = outputs.filter((o) => o.type === 'pricing' && o.eventId === game2);
    expect(pricing.at(-1)).toMatchObject({ crossBook: { bookCount: 2 } });
    const result = outputs.find((o) => o.type === 'result');
    expect(result).toMatchObject({ eventId: game2, winners: ['boston-red-sox'] });
  });
});
