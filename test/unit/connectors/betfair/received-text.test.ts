import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { marketChangeTexts, ReceivedChangeTexts } from '../../../../connectors/betfair/received-text.js';
import { BetfairStreamProcessor } from '../../../../connectors/betfair/stream-processor.js';
import type { MarketChange, MarketChangeMessage } from '../../../../connectors/betfair/protocol.js';
import { fixtureMessages } from './helpers.js';

describe('marketChangeTexts', () => {
  it('cuts each element of the top-level mc array as it was written', () => {
    const line =
      '{"op":"mcm","pt":1,"mc":[ {"id":"1.1","rc":[{"id":5,"atb":[[1.50,2.0]]}]} ,\r\n{"id":"1.2","marketDefinition":{"name":"a ] \\" } [ b"}}\t]}';
    expect(marketChangeTexts(line)).toEqual([
      '{"id":"1.1","rc":[{"id":5,"atb":[[1.50,2.0]]}]}',
      '{"id":"1.2","marketDefinition":{"name":"a ] \\" } [ b"}}',
    ]);
  });

  it('takes only a key named mc at the top level, the last one like JSON.parse', () => {
    expect(marketChangeTexts('{"op":"mc","x":{"mc":[1]},"mc":[{"id":"a"}],"mc":[{"id":"b"}]}')).toEqual([
      '{"id":"b"}',
    ]);
    expect(marketChangeTexts('{"op":"mcm","x":{"mc":[{"id":"a"}]}}')).toBeUndefined();
    expect(marketChangeTexts('{"op":"mcm","mc":null}')).toBeUndefined();
    expect(marketChangeTexts('{"op":"mcm","mc":[]}')).toEqual([]);
  });

  it('matches JSON.parse on any mc array of JSON values', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.jsonValue(), (mc, other) => {
        const line = JSON.stringify({ op: 'mcm', other, mc }, null, 1);
        const texts = marketChangeTexts(line);
        expect(texts?.map((t) => JSON.parse(t) as unknown)).toEqual((JSON.parse(line) as { mc: unknown }).mc);
      }),
    );
  });
});

describe('ReceivedChangeTexts', () => {
  it('gives a remembered change as received and serialises one it never saw', () => {
    const line = '{"op":"mcm","pt":1,"mc":[{"id":"1.1", "tv":1.0}]}';
    const message = JSON.parse(line) as MarketChangeMessage;
    const texts = new ReceivedChangeTexts();
    texts.remember(message, line);
    expect(texts.textOf(message.mc![0]!)).toBe('{"id":"1.1", "tv":1.0}');
    const restored: MarketChange = { id: '1.2', img: true };
    expect(texts.textOf(restored)).toBe('{"id":"1.2","img":true}');
  });

  it('serialises rather than guess when the line does not hold as many changes as were parsed', () => {
    const message = { op: 'mcm', pt: 1, mc: [{ id: '1.1' }, { id: '1.2' }] } as MarketChangeMessage;
    const texts = new ReceivedChangeTexts();
    texts.remember(message, '{"op":"mcm","pt":1,"mc":[{"id":"1.9"}]}');
    expect(texts.textOf(message.mc![0]!)).toBe('{"id":"1.1"}');
  });
});

describe('the payload of a Betfair book', () => {
  it("is the market's changes byte for byte, across the lines of a segment", () => {
    const [image] = fixtureMessages('greyhound-win.stream');
    const definition = JSON.stringify(image!.mc![0]!.marketDefinition);
    const lines = [
      `{"op":"mcm","pt":10,"segmentType":"SEG_START","ct":"SUB_IMAGE","mc":[{"id":"1.9","img":true,  "marketDefinition":${definition}}]}`,
      '{"op":"mcm","pt":10,"segmentType":"SEG_END","clk":"c1","mc":[{"id":"1.9","rc":[{"id":41000001,"atb":[[5.90,14.0]]}]}]}',
    ];
    const processor = new BetfairStreamProcessor({ closedMarketEvictionMs: 60_000 });
    expect(processor.handleLine(lines[0]!, 1)).toMatchObject({ kind: 'change', buffered: true });
    const outcome = processor.handleLine(lines[1]!, 2);
    if (outcome.kind !== 'change') throw new Error(`not a change: ${outcome.kind}`);
    expect(outcome.books.map((b) => b.side)).toEqual(['back', 'lay']);
    expect(outcome.books[0]?.payload).toBe(
      `[{"id":"1.9","img":true,  "marketDefinition":${definition}},{"id":"1.9","rc":[{"id":41000001,"atb":[[5.90,14.0]]}]}]`,
    );
  });
});
