import fc from 'fast-check';
import {
  badBytes,
  extraKeys,
  hugeNumbers,
  numericStrings,
  oddStrings,
  rawNumberTokens,
  wholeTexts,
} from './dictionary.js';

/**
 * Malformed payloads as small, printable descriptions (a sample and the mutations applied to it),
 * so a failing input can be reported and rebuilt from its description alone.
 */

/** What a mutated value becomes. `raw` is spliced into the JSON text as is (NaN, 1e999...). */
export type Replacement =
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string }
  | { kind: 'deep'; depth: number; shape: 'array' | 'object' }
  | { kind: 'big'; bytes: number; unit: string };

export type StructuralMutation =
  /** Any node (the root included) replaced. */
  | { kind: 'replace'; pick: number; with: Replacement }
  /** A number, or a field that holds one in some provider (prices, times, ids, ladders), replaced. */
  | { kind: 'number'; pick: number; with: Replacement }
  | { kind: 'delete'; pick: number }
  | { kind: 'null'; pick: number }
  | { kind: 'extra'; pick: number; key: string; with: Replacement }
  | { kind: 'duplicate'; pick: number }
  | { kind: 'empty'; pick: number }
  /** A value put inside an array (an array where an object is expected). */
  | { kind: 'wrap'; pick: number }
  /** An array replaced by its first element, an object by its first value. */
  | { kind: 'unwrap'; pick: number };

/** A whole payload or line: a text, or brackets nested `depth` deep (built only when used). */
export type Content = { text: string } | { depth: number };

export type TextMutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'insertBytes'; at: number; bytes: readonly number[] }
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'cut'; at: number; length: number }
  | { kind: 'prefix'; text: string }
  | { kind: 'whole'; content: Content }
  | { kind: 'dropLine' | 'duplicateLine' | 'joinLine' | 'blankLines'; pick: number }
  | { kind: 'swapLines'; a: number; b: number }
  | { kind: 'replaceLine'; pick: number; content: Content }
  | { kind: 'hugeLine'; pick: number; bytes: number; json: boolean };

export interface FuzzInput {
  /** Index into the format's samples. */
  sample: number;
  /** Line-based formats: which line the structural mutations apply to (modulo the line count). */
  line: number;
  structural: StructuralMutation[];
  text: TextMutation[];
}

const MB = 1024 * 1024;

const number: fc.Arbitrary<Replacement> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(...hugeNumbers).map((value) => ({ kind: 'json' as const, value })),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(...numericStrings).map((value) => ({ kind: 'json' as const, value })),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(...rawNumberTokens).map((text) => ({ kind: 'raw' as const, text })),
  },
  {
    weight: 1,
    arbitrary: fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .map((value) => ({ kind: 'json' as const, value })),
  },
);

const deep: fc.Arbitrary<Replacement> = fc.record({
  kind: fc.constant('deep' as const),
  depth: fc.constantFrom(1_000, 10_000, 100_000),
  shape: fc.constantFrom('array' as const, 'object' as const),
});

const big: fc.Arbitrary<Replacement> = fc.record({
  kind: fc.constant('big' as const),
  bytes: fc.integer({ min: 1 * MB, max: 6 * MB }),
  unit: fc.constantFrom('x', '\u00e9', '\u20ac', '\\', '"', '\ud83c\udfc7'),
});

/** Wrong types, odd strings and numbers; deep nesting and oversized strings now and then. */
const replacement: fc.Arbitrary<Replacement> = fc.oneof(
  { weight: 6, arbitrary: number },
  {
    weight: 4,
    arbitrary: fc.constantFrom(...oddStrings).map((value) => ({ kind: 'json' as const, value })),
  },
  {
    weight: 4,
    arbitrary: fc
      .constantFrom<unknown>(true, false, null, [], {}, [[]], [null], { '': null }, [1, 2], { id: null })
      .map((value) => ({ kind: 'json' as const, value })),
  },
  {
    weight: 3,
    arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({ kind: 'json' as const, value })),
  },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: big },
);

const pick = fc.nat();

const structural: fc.Arbitrary<StructuralMutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('replace' as const), pick, with: replacement }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('number' as const), pick, with: number }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('null' as const), pick }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('extra' as const),
      pick,
      key: fc.oneof(fc.constantFrom(...extraKeys), fc.string({ maxLength: 12 })),
      with: replacement,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('empty' as const), pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wrap' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unwrap' as const), pick }) },
);

const content: fc.Arbitrary<Content> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...wholeTexts).map((text) => ({ text })) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: 40 })
      .map((points) => ({ text: String.fromCodePoint(...points) })),
  },
  { weight: 1, arbitrary: fc.constantFrom(1_000, 10_000, 100_000).map((depth) => ({ depth })) },
);

const textMutation = (lines: boolean): fc.Arbitrary<TextMutation> => {
  const common: fc.WeightedArbitrary<TextMutation>[] = [
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: pick }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('insertBytes' as const),
        at: pick,
        bytes: fc.constantFrom(...badBytes),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('flip' as const),
        at: pick,
        xor: fc.integer({ min: 1, max: 255 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('cut' as const),
        at: pick,
        length: fc.integer({ min: 1, max: 200 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('prefix' as const),
        text: fc.constantFrom('\ufeff', ' \t', '\n', '\u0000', '\r'),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('whole' as const), content }) },
  ];
  if (!lines) return fc.oneof(...common);
  return fc.oneof(
    ...common,
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constantFrom(
          'dropLine' as const,
          'duplicateLine' as const,
          'joinLine' as const,
          'blankLines' as const,
        ),
        pick,
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('swapLines' as const), a: pick, b: pick }) },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('replaceLine' as const), pick, content }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('hugeLine' as const),
        pick,
        bytes: fc.integer({ min: 1 * MB, max: 6 * MB }),
        json: fc.boolean(),
      }),
    },
  );
};

/** One malformed input of a format with `samples` valid payloads. */
export function fuzzInput(samples: number, lines: boolean): fc.Arbitrary<FuzzInput> {
  return fc
    .record({
      sample: fc.nat({ max: samples - 1 }),
      line: fc.nat(),
      structural: fc.array(structural, { maxLength: 3 }),
      text: fc.array(textMutation(lines), { maxLength: 2 }),
    })
    .map((input) =>
      input.structural.length + input.text.length > 0
        ? input
        : { ...input, text: [{ kind: 'truncate' as const, at: input.line }] },
    );
}
