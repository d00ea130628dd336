import { z } from 'zod';
import { ProviderError } from '../../src/core/errors.js';
import { answerJson, httpsPost, httpStatusError, type HttpsSettings } from './https-post.js';
import { PROVIDER } from './protocol.js';
import { SessionRejectedError, sessionErrorCodes } from './status-errors.js';

// The Betting API's listMarketCatalogue over its REST transport
// (https://docs.developer.betfair.com/display/1smk3cen4v3lu3yomq5qye0ni/listMarketCatalogue and
// the Betting Type Definitions). Loose objects, everything but the ids optional: projections
// decide which parts come, and Betfair adds fields over time.

const idName = z.looseObject({ id: z.string().nullish(), name: z.string().nullish() });

export const marketCatalogueSchema = z.looseObject({
  marketId: z.string().min(1),
  marketName: z.string(),
  marketStartTime: z.string().nullish(),
  description: z
    .looseObject({
      persistenceEnabled: z.boolean().nullish(),
      bspMarket: z.boolean().nullish(),
      marketTime: z.string().nullish(),
      suspendTime: z.string().nullish(),
      bettingType: z.string().nullish(),
      turnInPlayEnabled: z.boolean().nullish(),
      marketType: z.string().nullish(),
      regulator: z.string().nullish(),
      /** Commission on net winnings, in percent (5 = 5 %). */
      marketBaseRate: z.number().nullish(),
      discountAllowed: z.boolean().nullish(),
      wallet: z.string().nullish(),
      rules: z.string().nullish(),
      rulesHasDate: z.boolean().nullish(),
      eachWayDivisor: z.number().nullish(),
      raceType: z.string().nullish(),
    })
    .nullish(),
  totalMatched: z.number().nullish(),
  runners: z
    .array(
      z.looseObject({
        selectionId: z.number().int(),
        runnerName: z.string(),
        handicap: z.number().nullish(),
        sortPriority: z.number().nullish(),
        metadata: z.record(z.string(), z.string().nullable()).nullish(),
      }),
    )
    .nullish(),
  eventType: idName.nullish(),
  competition: idName.nullish(),
  event: z
    .looseObject({
      id: z.string().nullish(),
      name: z.string().nullish(),
      countryCode: z.string().nullish(),
      timezone: z.string().nullish(),
      venue: z.string().nullish(),
      openDate: z.string().nullish(),
    })
    .nullish(),
});
export type MarketCatalogue = z.infer<typeof marketCatalogueSchema>;

/** What the connector asks for: names of everything, the market's type and start. */
export const catalogueProjection = [
  'MARKET_DESCRIPTION',
  'RUNNER_DESCRIPTION',
  'EVENT',
  'EVENT_TYPE',
  'COMPETITION',
  'MARKET_START_TIME',
] as const;

export const listMarketCatalogueRequestSchema = z.looseObject({
  filter: z.looseObject({ marketIds: z.array(z.string()).optional() }),
  marketProjection: z.array(z.string()).optional(),
  maxResults: z.number().int().min(1).max(1000),
});

/**
 * The REST error body: `{"faultcode":"Client","faultstring":"ANGX-0003","detail":{"APINGException":
 * {"errorCode":"INVALID_SESSION_INFORMATION","errorDetails":"…","requestUUID":"…"},"exceptionname":"APINGException"}}`.
 */
const faultSchema = z.looseObject({
  faultstring: z.string().nullish(),
  detail: z
    .looseObject({
      APINGException: z.looseObject({ errorCode: z.string(), errorDetails: z.string().nullish() }).nullish(),
    })
    .nullish(),
});

const apingCodes: Record<string, Extract<ProviderError['code'], `PROVIDER_${string}`>> = {
  TOO_MUCH_DATA: 'PROVIDER_REQUEST_REJECTED',
  INVALID_INPUT_DATA: 'PROVIDER_REQUEST_REJECTED',
  REQUEST_SIZE_EXCEEDS_LIMIT: 'PROVIDER_REQUEST_REJECTED',
  NO_APP_KEY: 'PROVIDER_AUTH_FAILED',
  INVALID_APP_KEY: 'PROVIDER_AUTH_FAILED',
  ACCESS_DENIED: 'PROVIDER_AUTH_FAILED',
  TOO_MANY_REQUESTS: 'PROVIDER_RATE_LIMITED',
  SERVICE_BUSY: 'PROVIDER_UNAVAILABLE',
  UNEXPECTED_ERROR: 'PROVIDER_UNAVAILABLE',
  TIMEOUT_ERROR: 'PROVIDER_TIMEOUT',
};

export function bettingApiError(status: number, body: string, what: string): ProviderError {
  let fault: z.infer<typeof faultSchema> | undefined;
  try {
    const parsed = faultSchema.safeParse(JSON.parse(body));
    fault = parsed.success ? parsed.data : undefined;
  } catch {
    fault = undefined;
  }
  const aping = fault?.detail?.APINGException;
  if (aping === undefined || aping === null) return httpStatusError(status, what, fault?.faultstring ?? body);
  if (sessionErrorCodes.has(aping.errorCode)) return new SessionRejectedError(aping.errorCode, what);
  const message = `${what}: ${aping.errorCode}${aping.errorDetails ? ` (${aping.errorDetails})` : ''}`;
  return new ProviderError(apingCodes[aping.errorCode] ?? 'PROVIDER_UNAVAILABLE', PROVIDER, message, {
    status,
  });
}

/** What one call returned: the entries that have the documented shape, and why the others did not. */
export interface CatalogueAnswer {
  markets: MarketCatalogue[];
  rejected: { index: number; marketId: string | undefined; message: string }[];
}

export interface BettingApi {
  listMarketCatalogue(
    token: string,
    marketIds: readonly string[],
    signal?: AbortSignal,
  ): Promise<CatalogueAnswer>;
}

/** Each entry on its own: one odd market must not cost the names of the others. */
function readCatalogue(body: string, what: string): CatalogueAnswer {
  const json = answerJson(body, what);
  if (!Array.isArray(json))
    throw new ProviderError('PROVIDER_PROTOCOL', PROVIDER, `${what}: answer is not an array`);
  const answer: CatalogueAnswer = { markets: [], rejected: [] };
  json.forEach((entry: unknown, index) => {
    const parsed = marketCatalogueSchema.safeParse(entry);
    if (parsed.success) return void answer.markets.push(parsed.data);
    const issue = parsed.error.issues[0];
    const id = (entry as { marketId?: unknown } | null)?.marketId;
    answer.rejected.push({
      index,
      marketId: typeof id === 'string' ? id : undefined,
      message: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    });
  });
  return answer;
}

export function createBettingApi(
  bettingUrl: string,
  appKey: string,
  tls: HttpsSettings,
  onAnswer: (status: string) => void = () => undefined,
): BettingApi {
  return {
    async listMarketCatalogue(token, marketIds, signal) {
      const what = 'listMarketCatalogue';
      const body = JSON.stringify({
        filter: { marketIds },
        marketProjection: catalogueProjection,
        maxResults: marketIds.length,
      });
      const headers = {
        'x-application': appKey,
        'x-authentication': token,
        'content-type': 'application/json',
        accept: 'application/json',
      };
      let answer;
      try {
        answer = await httpsPost(new URL(`${what}/`, bettingUrl), headers, body, tls, what, signal);
      } catch (err) {
        onAnswer(err instanceof ProviderError ? err.code : 'ERROR');
        throw err;
      }
      onAnswer(String(answer.status));
      if (answer.status !== 200) throw bettingApiError(answer.status, answer.body, what);
      return readCatalogue(answer.body, what);
    },
  };
}
