import { describe, expect, it } from 'vitest';
import {
  collect,
  parseJsonPath,
  resolveValue,
  type Scope,
} from '../../../../connectors/ws-json/json-path.js';

const frame = {
  ts: 5,
  events: [
    {
      id: 'e1',
      markets: [
        { id: 'm1', odds: { '1': 2.1, X: 3.4 } },
        { id: 'm2', odds: {} },
      ],
    },
    { id: 'e2', markets: [] },
    { id: 'e3' },
  ],
  'odd key': { 'a.b': 7 },
};
const root: Scope[] = [{ value: frame, key: null, where: '$' }];

describe('parseJsonPath', () => {
  it.each([
    [
      'event.id',
      0,
      [
        { kind: 'key', key: 'event' },
        { kind: 'key', key: 'id' },
      ],
    ],
    [
      '$.events[0].id',
      'root',
      [
        { kind: 'key', key: 'events' },
        { kind: 'index', index: 0 },
        { kind: 'key', key: 'id' },
      ],
    ],
    ['^^.name', 2, [{ kind: 'key', key: 'name' }]],
    ['@', 0, []],
    ['$', 'root', []],
    ['markets[*]', 0, [{ kind: 'key', key: 'markets' }, { kind: 'each' }]],
    [
      '$["odd key"][\'a.b\']',
      'root',
      [
        { kind: 'key', key: 'odd key' },
        { kind: 'key', key: 'a.b' },
      ],
    ],
  ])('%s', (source, anchor, steps) => {
    const path = parseJsonPath(source);
    expect(path.anchor).toBe(anchor);
    expect(path.steps).toEqual(steps);
    expect(path.keyOf).toBe(false);
  });

  it('reads `#` and `^#` as keys of a scope', () => {
    expect(parseJsonPath('#')).toMatchObject({ anchor: 0, keyOf: true });
    expect(parseJsonPath('^#')).toMatchObject({ anchor: 1, keyOf: true });
  });

  it.each(['a..b', 'a[x]', '$#', 'a.', '.a', 'a[-1]', 'a b'])(
    'rejects %s with the offending text',
    (source) => {
      expect(() => parseJsonPath(source)).toThrow(source);
    },
  );
});

describe('resolveValue', () => {
  it('follows keys and indexes and reports the concrete path', () => {
    expect(resolveValue(parseJsonPath('events[0].markets[1].id'), root)).toEqual({
      value: 'm2',
      where: '$.events[0].markets[1].id',
    });
    expect(resolveValue(parseJsonPath('$["odd key"]["a.b"]'), root)).toEqual({
      value: 7,
      where: '$["odd key"]["a.b"]',
    });
  });

  it('gives undefined with the path up to where it stopped', () => {
    expect(resolveValue(parseJsonPath('events[2].markets[0].id'), root)).toEqual({
      value: undefined,
      where: '$.events[2].markets',
    });
    expect(resolveValue(parseJsonPath('ts.x'), root).value).toBeUndefined();
    expect(resolveValue(parseJsonPath('^.ts'), root).where).toContain('no such scope');
  });

  it('does not read inherited properties', () => {
    expect(resolveValue(parseJsonPath('events.length'), root).value).toBeUndefined();
    expect(resolveValue(parseJsonPath('constructor'), root).value).toBeUndefined();
  });
});

describe('collect', () => {
  it('opens a scope per [*] so that ^ reaches the enclosing element', () => {
    const books = collect(parseJsonPath('events[*].markets[*]'), root);
    expect(books.chains.map((c) => c.map((s) => s.where))).toEqual([
      ['$', '$.events[0]', '$.events[0].markets[0]'],
      ['$', '$.events[0]', '$.events[0].markets[1]'],
    ]);
    expect(books.missing).toEqual(['$.events[2].markets']);
    const [first] = books.chains;
    expect(resolveValue(parseJsonPath('^.id'), first ?? []).value).toBe('e1');
    expect(resolveValue(parseJsonPath('^^.ts'), first ?? []).value).toBe(5);
  });

  it('iterates object values and keeps their keys for #', () => {
    const [book] = collect(parseJsonPath('events[0].markets[0]'), root).chains;
    const selections = collect(parseJsonPath('odds[*]'), book ?? []);
    expect(selections.chains.map((c) => resolveValue(parseJsonPath('#'), c).value)).toEqual(['1', 'X']);
    expect(selections.chains.map((c) => resolveValue(parseJsonPath('@'), c).value)).toEqual([2.1, 3.4]);
    expect(selections.chains.map((c) => resolveValue(parseJsonPath('^.id'), c).value)).toEqual(['m1', 'm1']);
  });

  it('treats the root as a single element and a [*] over a scalar as missing', () => {
    expect(collect(parseJsonPath('$'), root).chains).toEqual([root]);
    expect(collect(parseJsonPath('ts[*]'), root)).toEqual({ chains: [], missing: ['$.ts[*]'] });
  });
});
