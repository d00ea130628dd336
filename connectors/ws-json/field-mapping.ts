import { z } from 'zod';
import { hasWildcard, parseJsonPath, type JsonPath } from './json-path.js';

/**
 * Where each RawMarketBook field sits in a provider's JSON frame, so that a new push feed is
 * configuration, not code. Paths use the syntax of `json-path.ts`. Every field is a *source*:
 * - a path string (`"event.id"`, `"$.ts"`, `"^.name"`, `"#"`),
 * - `{ path, map?, default? }`: `map` translates provider codes (`{"o": "OPEN"}`), `default` applies
 *   when the path is absent or null,
 * - `{ const }`: a fixed value for feeds that leave it implicit (one bookmaker, one price format).
 */

const scalar = z.union([z.string(), z.number(), z.boolean()]);

function pathSchema(kind: 'value' | 'collection') {
  return z.string().transform((text, ctx): JsonPath => {
    try {
      const path = parseJsonPath(text);
      if (kind === 'value' && hasWildcard(path)) {
        ctx.addIssue({ code: 'custom', message: `"${text}": a field path cannot contain [*]` });
      }
      if (kind === 'collection' && path.keyOf) {
        ctx.addIssue({ code: 'custom', message: `"${text}": a collection path cannot read a key (#)` });
      }
      return path;
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
}

export type ValueSource =
  | {
      kind: 'path';
      path: JsonPath;
      map: Readonly<Record<string, string>> | null;
      fallback: string | number | boolean | null;
    }
  | { kind: 'const'; value: string | number | boolean };

const pathSource = pathSchema('value').transform((path): ValueSource => ({
  kind: 'path',
  path,
  map: null,
  fallback: null,
}));
const pathObjectSource = z
  .strictObject({
    path: pathSchema('value'),
    map: z.record(z.string(), z.string()).optional(),
    default: scalar.optional(),
  })
  .transform((s): ValueSource => ({
    kind: 'path',
    path: s.path,
    map: s.map ?? null,
    fallback: s.default ?? null,
  }));
const constSource = z
  .strictObject({ const: scalar })
  .transform((s): ValueSource => ({ kind: 'const', value: s.const }));

type Scalar = z.input<typeof scalar>;
type SourceInput =
  string | { path: string; map?: Record<string, string>; default?: Scalar } | { const: Scalar };

/**
 * Picks the branch by the input's shape rather than with z.union, whose failure is a bare
 * "Invalid input"; this way a config error names the actual problem (a bad path, an unknown key).
 */
const source = z.custom<SourceInput>().transform((input, ctx): ValueSource => {
  const isObject = typeof input === 'object' && input !== null && !Array.isArray(input);
  if (typeof input !== 'string' && !isObject) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected a path string, { path, map?, default? } or { const }',
    });
    return z.NEVER;
  }
  const branch = typeof input === 'string' ? pathSource : 'const' in input ? constSource : pathObjectSource;
  const result = branch.safeParse(input);
  if (result.success) return result.data;
  for (const issue of result.error.issues)
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

const condition = z
  .strictObject({
    path: pathSchema('value'),
    equals: scalar.optional(),
    in: z.array(scalar).min(1).optional(),
    exists: z.boolean().optional(),
  })
  .refine((c) => [c.equals, c.in, c.exists].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of equals, in, exists',
  });

export type Condition = z.output<typeof condition>;

export const priceFormats = ['decimal', 'fractional', 'american', 'hongkong', 'malay', 'indonesian'] as const;
export const bookStatuses = ['OPEN', 'SUSPENDED', 'CLOSED'] as const;
export const selectionStatuses = ['ACTIVE', 'REMOVED', 'WINNER', 'LOSER', 'PLACED'] as const;
export const sides = ['back', 'lay'] as const;

/** One RawMarketBook per element of `books`; paths of `book` are relative to that element. */
const bookFields = z.strictObject({
  eventId: source,
  sport: source,
  marketId: source,
  marketType: source,
  bookmaker: source,
  priceFormat: source,
  /** The provider's time of the book; absent from the mapping means "when the frame arrived". */
  timestamp: source.optional(),
  side: source.prefault({ const: 'back' }),
  status: source.prefault({ const: 'OPEN' }),
  inPlay: source.prefault({ const: false }),
  eventName: source.optional(),
  competition: source.optional(),
  homeTeam: source.optional(),
  awayTeam: source.optional(),
  venue: source.optional(),
  raceNumber: source.optional(),
  startTime: source.optional(),
  marketName: source.optional(),
  numberOfPlaces: source.optional(),
});

/** Paths of `selection` are relative to one element of `selections`. */
const selectionFields = z.strictObject({
  id: source,
  price: source,
  name: source.optional(),
  point: source.optional(),
  size: source.optional(),
  status: source.prefault({ const: 'ACTIVE' }),
});

export const fieldMappingSchema = z.strictObject({
  /** All must hold for a frame to carry odds; other frames (acks, heartbeats) are ignored. */
  filter: z.array(condition).default([]),
  books: pathSchema('collection').prefault('$'),
  selections: pathSchema('collection'),
  /**
   * How times are read. `auto`: a number (or numeric string) below 1e11 is epoch seconds, at or
   * above is epoch milliseconds (1e11 ms is 1973, 1e11 s is the year 5138); other strings are ISO 8601.
   */
  timeFormat: z.enum(['auto', 'epoch-ms', 'epoch-s', 'iso']).default('auto'),
  book: bookFields,
  selection: selectionFields,
});

export type FieldMapping = z.output<typeof fieldMappingSchema>;
export type FieldMappingInput = z.input<typeof fieldMappingSchema>;
export type TimeFormat = FieldMapping['timeFormat'];
