/**
 * A small path language for pointing into provider JSON; full JSONPath is far more than a field
 * mapping needs and its filter expressions would make configs hard to review.
 *
 *   path    := anchor? step*          anchor := '$' | '^'+ | '@'
 *   step    := '.' name | '[' int ']' | '[*]' | '["quoted name"]'
 *   keyPath := ('^'* | '@') '#'
 *
 * - `$` starts at the frame root, `@` (or no anchor, e.g. `event.id`) at the current scope, and each
 *   `^` climbs one scope up. A scope is opened by every `[*]` of a collection path (`books`,
 *   `selections`) and by the collection's final element: with `books: "events[*].markets[*]"`, a book
 *   field `^.id` reads the event around the market, and a selection field `^.key` reads the book.
 * - `[*]` iterates an array's elements or an object's values, in JavaScript property order (integer-like
 *   keys ascending first, then the others as written: JSON.parse does not keep the frame's order).
 * - `#` is the key (property name or index) by which the current scope was reached, which serves
 *   feeds that key selections by id: `{"prices": {"1": 2.1, "X": 3.4}}` with `selections:
 *   "prices[*]"`, selection id `#` and price `@`.
 */

export type PathStep = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'each' };

export interface JsonPath {
  readonly source: string;
  /** `root`, or how many scopes to climb from the current one (0 = current). */
  readonly anchor: 'root' | number;
  readonly steps: readonly PathStep[];
  /** The path reads the key of the anchored scope, not a value. */
  readonly keyOf: boolean;
}

/** One level of nesting: a value, the key it was reached by, and its concrete path for messages. */
export interface Scope {
  readonly value: unknown;
  readonly key: string | number | null;
  readonly where: string;
}

const namePattern = /^[A-Za-z0-9_-]+/;

export function parseJsonPath(source: string): JsonPath {
  let rest = source.trim();
  let anchor: JsonPath['anchor'] = 0;
  if (rest.startsWith('$')) {
    anchor = 'root';
    rest = rest.slice(1);
  } else if (rest.startsWith('^')) {
    const ups = /^\^+/.exec(rest)?.[0].length ?? 0;
    anchor = ups;
    rest = rest.slice(ups);
  } else if (rest.startsWith('@')) {
    rest = rest.slice(1);
  } else if (rest !== '' && rest !== '#') {
    rest = `.${rest}`;
  }
  if (rest === '#') {
    if (anchor === 'root') throw new Error(`"${source}": the root has no key`);
    return { source, anchor, steps: [], keyOf: true };
  }
  const steps: PathStep[] = [];
  while (rest !== '') {
    if (rest.startsWith('.')) {
      const name = namePattern.exec(rest.slice(1))?.[0];
      if (name === undefined) throw new Error(`"${source}": expected a name after "." at "${rest}"`);
      steps.push({ kind: 'key', key: name });
      rest = rest.slice(1 + name.length);
      continue;
    }
    const bracket = /^\[(?:(\*)|(\d+)|"([^"]*)"|'([^']*)')\]/.exec(rest);
    if (bracket === null)
      throw new Error(`"${source}": unexpected "${rest}" (use .name, [0], [*] or ["name"])`);
    if (bracket[1] !== undefined) steps.push({ kind: 'each' });
    else if (bracket[2] !== undefined) steps.push({ kind: 'index', index: Number(bracket[2]) });
    else steps.push({ kind: 'key', key: bracket[3] ?? bracket[4] ?? '' });
    rest = rest.slice(bracket[0].length);
  }
  return { source, anchor, steps, keyOf: false };
}

export function hasWildcard(path: JsonPath): boolean {
  return path.steps.some((s) => s.kind === 'each');
}

function describeKey(where: string, key: string | number): string {
  if (typeof key === 'number') return `${where}[${key}]`;
  return namePattern.exec(key)?.[0] === key ? `${where}.${key}` : `${where}[${JSON.stringify(key)}]`;
}

function child(scope: Scope, key: string | number, value: unknown): Scope {
  return { value, key, where: describeKey(scope.where, key) };
}

function anchorScope(path: JsonPath, chain: readonly Scope[]): Scope | undefined {
  return path.anchor === 'root' ? chain[0] : chain[chain.length - 1 - path.anchor];
}

function stepInto(scope: Scope, step: Exclude<PathStep, { kind: 'each' }>): Scope {
  const { value } = scope;
  if (step.kind === 'index') {
    return child(scope, step.index, Array.isArray(value) ? (value[step.index] as unknown) : undefined);
  }
  const isRecord = typeof value === 'object' && value !== null && !Array.isArray(value);
  const next =
    isRecord && Object.hasOwn(value, step.key) ? (value as Record<string, unknown>)[step.key] : undefined;
  return child(scope, step.key, next);
}

export interface Resolved {
  /** `undefined` when the path leads nowhere (a key is absent or a parent is not an object). */
  value: unknown;
  where: string;
}

/** A single value (the path has no `[*]`) read from the innermost scope of `chain`. */
export function resolveValue(path: JsonPath, chain: readonly Scope[]): Resolved {
  let scope = anchorScope(path, chain);
  if (scope === undefined) return { value: undefined, where: `${path.source} (no such scope)` };
  if (path.keyOf) return { value: scope.key ?? undefined, where: `${scope.where}#` };
  for (const step of path.steps) {
    if (step.kind === 'each') throw new Error(`"${path.source}": a value path cannot contain [*]`);
    scope = stepInto(scope, step);
    if (scope.value === undefined) break;
  }
  return { value: scope.value, where: scope.where };
}

export interface Collected {
  /** Each element with the scopes opened on the way (its own scope last). */
  chains: Scope[][];
  /** Where the path did not lead to a value (an absent key, a `[*]` over a scalar). */
  missing: string[];
}

/** Every element a collection path leads to; each `[*]` opens a scope (see the module comment). */
export function collect(path: JsonPath, chain: readonly Scope[]): Collected {
  const start = anchorScope(path, chain);
  const out: Collected = { chains: [], missing: [] };
  if (start === undefined) {
    out.missing.push(`${path.source} (no such scope)`);
    return out;
  }
  const base = path.anchor === 'root' ? chain.slice(0, 1) : chain.slice(0, chain.length - path.anchor);
  const walk = (scope: Scope, opened: Scope[], index: number): void => {
    if (scope.value === undefined) {
      out.missing.push(scope.where);
      return;
    }
    const step = path.steps[index];
    if (step === undefined) {
      out.chains.push(opened[opened.length - 1] === scope ? opened : [...opened, scope]);
      return;
    }
    if (step.kind !== 'each') {
      walk(stepInto(scope, step), opened, index + 1);
      return;
    }
    const { value } = scope;
    if (typeof value !== 'object' || value === null) {
      out.missing.push(`${scope.where}[*]`);
      return;
    }
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((v: unknown, i) => [i, v])
      : Object.entries(value);
    for (const [key, v] of entries) {
      const element = child(scope, key, v);
      walk(element, [...opened, element], index + 1);
    }
  };
  walk(start, base, 0);
  return out;
}
