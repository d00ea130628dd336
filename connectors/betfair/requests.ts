import { z } from 'zod';

// Requests a client sends on the stream (same swagger schema as protocol.ts). The schemas are
// what the simulator accepts; the builders are what the client sends.

export const priceFields = [
  'EX_BEST_OFFERS_DISP',
  'EX_BEST_OFFERS',
  'EX_ALL_OFFERS',
  'EX_TRADED',
  'EX_TRADED_VOL',
  'EX_LTP',
  'EX_MARKET_DEF',
  'SP_TRADED',
  'SP_PROJECTED',
] as const;
export type PriceField = (typeof priceFields)[number];

export const marketFilterSchema = z.strictObject({
  marketIds: z.array(z.string()).optional(),
  eventTypeIds: z.array(z.string()).optional(),
  eventIds: z.array(z.string()).optional(),
  countryCodes: z.array(z.string()).optional(),
  marketTypes: z.array(z.string()).optional(),
  venues: z.array(z.string()).optional(),
  bettingTypes: z.array(z.string()).optional(),
  turnInPlayEnabled: z.boolean().optional(),
  bspMarket: z.boolean().optional(),
});
export type MarketFilter = z.infer<typeof marketFilterSchema>;

export const authenticationRequestSchema = z.looseObject({
  op: z.literal('authentication'),
  id: z.number().optional(),
  appKey: z.string(),
  session: z.string(),
});

export const marketSubscriptionRequestSchema = z.looseObject({
  op: z.literal('marketSubscription'),
  id: z.number().optional(),
  marketFilter: z.looseObject(marketFilterSchema.shape).optional(),
  marketDataFilter: z
    .looseObject({ fields: z.array(z.string()).optional(), ladderLevels: z.number().optional() })
    .optional(),
  initialClk: z.string().optional(),
  clk: z.string().optional(),
  heartbeatMs: z.number().optional(),
  conflateMs: z.number().optional(),
  segmentationEnabled: z.boolean().optional(),
});
export type MarketSubscriptionRequest = z.infer<typeof marketSubscriptionRequestSchema>;

export const heartbeatRequestSchema = z.looseObject({
  op: z.literal('heartbeat'),
  id: z.number().optional(),
});

export const requestSchema = z.discriminatedUnion('op', [
  authenticationRequestSchema,
  marketSubscriptionRequestSchema,
  heartbeatRequestSchema,
]);
export type StreamRequest = z.infer<typeof requestSchema>;

export interface SubscriptionSettings {
  marketFilter: MarketFilter;
  /** Price data wanted; EX_MARKET_DEF is always added, the cache cannot name a market without it. */
  fields: readonly PriceField[];
  ladderLevels: number;
  conflateMs: number;
  heartbeatMs: number;
  segmentationEnabled: boolean;
}

export interface StreamClocks {
  initialClk?: string | undefined;
  clk?: string | undefined;
}

export function authenticationRequest(id: number, appKey: string, session: string) {
  return { op: 'authentication', id, appKey, session } as const;
}

/**
 * With the clocks of the last applied change the server answers RESUB_DELTA (only what was
 * missed); without them, a full SUB_IMAGE.
 * https://docs.developer.betfair.com/display/1smk3cen4v3lu3yomq5qye0ni/Exchange+Stream+API (Re-connection)
 */
export function marketSubscriptionRequest(
  id: number,
  settings: SubscriptionSettings,
  clocks: StreamClocks = {},
): MarketSubscriptionRequest & { op: 'marketSubscription' } {
  const fields = ['EX_MARKET_DEF', ...settings.fields.filter((f) => f !== 'EX_MARKET_DEF')];
  return {
    op: 'marketSubscription',
    id,
    marketFilter: settings.marketFilter,
    marketDataFilter: { fields, ladderLevels: settings.ladderLevels },
    conflateMs: settings.conflateMs,
    heartbeatMs: settings.heartbeatMs,
    segmentationEnabled: settings.segmentationEnabled,
    ...(clocks.initialClk !== undefined && clocks.clk !== undefined
      ? { initialClk: clocks.initialClk, clk: clocks.clk }
      : {}),
  };
}

export function heartbeatRequest(id: number) {
  return { op: 'heartbeat', id } as const;
}

/** The wire form: one JSON object per line, CRLF-terminated, never pretty-printed. */
export function encodeLine(message: object): string {
  return `${JSON.stringify(message)}\r\n`;
}
