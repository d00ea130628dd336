import { describe, expect, it } from 'vitest';
import { parseFrame, segmentOf, type MarketChangeMessage } from '../../../../connectors/betfair/protocol.js';
import {
  authenticationRequest,
  encodeLine,
  heartbeatRequest,
  marketSubscriptionRequest,
  type SubscriptionSettings,
} from '../../../../connectors/betfair/requests.js';
import { fixtureLines } from './helpers.js';

const settings: SubscriptionSettings = {
  marketFilter: { eventTypeIds: ['7', '4339'], marketTypes: ['WIN'] },
  fields: ['EX_BEST_OFFERS', 'EX_LTP'],
  ladderLevels: 3,
  conflateMs: 0,
  heartbeatMs: 5000,
  segmentationEnabled: true,
};

describe('parseFrame', () => {
  it('reads every line of the real recordings, unknown keys and "NaN"/"Infinity" strings included', () => {
    for (const name of ['1.185781277.gz', '1.200806927.gz', '1.205822330.gz']) {
      const kinds = new Set(fixtureLines(name).map((line) => parseFrame(line).kind));
      expect([...kinds], name).toEqual(['mcm']);
    }
  });

  it('keeps keys it does not know, so the audit payload stays whole', () => {
    const closing = fixtureLines('1.200806927.gz').at(-1)!;
    const frame = parseFrame(closing);
    expect(frame.kind).toBe('mcm');
    const change = (frame as { message: MarketChangeMessage }).message.mc?.[0];
    expect(change?._stream_id).toBe(2026);
    expect(change?.marketDefinition?.status).toBe('CLOSED');
  });

  it('recognises connection and status messages and ignores streams it does not subscribe to', () => {
    expect(parseFrame('{"op":"connection","connectionId":"002-051134157842-432409"}')).toMatchObject({
      kind: 'connection',
      message: { connectionId: '002-051134157842-432409' },
    });
    const status = parseFrame(
      '{"op":"status","id":2,"statusCode":"FAILURE","errorCode":"INVALID_CLOCK","connectionClosed":false}',
    );
    expect(status).toMatchObject({ kind: 'status', message: { errorCode: 'INVALID_CLOCK' } });
    expect(parseFrame('{"op":"ocm","id":3,"pt":1,"oc":[]}')).toEqual({ kind: 'other', op: 'ocm' });
  });

  it('turns broken JSON and wrong shapes into dead-letter failures with paths', () => {
    const broken = parseFrame('{"op":"mcm","pt":');
    expect(broken).toMatchObject({
      kind: 'failure',
      failure: { provider: 'betfair', reasonCode: 'MALFORMED_JSON' },
    });
    const wrong = parseFrame('{"op":"mcm","pt":1,"mc":[{"id":"1.2","rc":[{"id":5,"batb":[[0,2.5]]}]}]}');
    expect(wrong.kind).toBe('failure');
    if (wrong.kind !== 'failure') return;
    expect(wrong.failure.reasonCode).toBe('SCHEMA_MISMATCH');
    expect(wrong.failure.errors[0]?.path).toBe('$.mc.0.rc.0.batb.0');
    expect(parseFrame('[1,2]')).toMatchObject({
      kind: 'failure',
      failure: { reasonCode: 'SCHEMA_MISMATCH' },
    });
  });

  it('reads segment markers from segmentType, and from ct as some clients describe them', () => {
    const base = { op: 'mcm', pt: 1 } as const;
    expect(segmentOf({ ...base, ct: 'SUB_IMAGE', segmentType: 'SEG_START' })).toBe('SEG_START');
    expect(segmentOf({ ...base, ct: 'SEG_END' })).toBe('SEG_END');
    expect(segmentOf({ ...base, ct: 'SUB_IMAGE' })).toBeUndefined();
  });
});

describe('requests', () => {
  it('authenticates with the app key and session token', () => {
    expect(authenticationRequest(1, 'key', 'token')).toEqual({
      op: 'authentication',
      id: 1,
      appKey: 'key',
      session: 'token',
    });
  });

  it('always asks for the market definition, and sends clocks only when both are known', () => {
    const fresh = marketSubscriptionRequest(2, settings);
    expect(fresh.marketDataFilter?.fields).toEqual(['EX_MARKET_DEF', 'EX_BEST_OFFERS', 'EX_LTP']);
    expect(fresh).not.toHaveProperty('clk');
    expect(fresh).toMatchObject({
      marketFilter: settings.marketFilter,
      segmentationEnabled: true,
      heartbeatMs: 5000,
    });

    const resumed = marketSubscriptionRequest(
      3,
      { ...settings, fields: ['EX_MARKET_DEF'] },
      {
        initialClk: 'G7DWq7ADH5SJmZoD',
        clk: 'AAEAAQAB',
      },
    );
    expect(resumed).toMatchObject({ initialClk: 'G7DWq7ADH5SJmZoD', clk: 'AAEAAQAB' });
    expect(resumed.marketDataFilter?.fields).toEqual(['EX_MARKET_DEF']);
    expect(marketSubscriptionRequest(4, settings, { clk: 'AAEAAQAB' })).not.toHaveProperty('clk');
  });

  it('writes one CRLF-terminated JSON line', () => {
    expect(encodeLine(heartbeatRequest(7))).toBe('{"op":"heartbeat","id":7}\r\n');
  });
});
