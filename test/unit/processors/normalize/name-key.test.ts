import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBlankName, nameKey, stripCountrySuffix } from '../../../../processors/normalize/name-key.js';

describe('nameKey', () => {
  it.each([
    ['Boston Celtics', 'boston-celtics'],
    ['  BOSTON   celtics ', 'boston-celtics'],
    ['Montréal Canadiens', 'montreal-canadiens'],
    ['Atlético Madrid', 'atletico-madrid'],
    ['Bodø/Glimt', 'bodo-glimt'],
    ['Śląsk Wrocław', 'slask-wroclaw'],
    ['Färjestad BK', 'farjestad-bk'],
    ['Bayern München', 'bayern-munchen'],
    ['L.A. Lakers', 'la-lakers'],
    ["O'Brien's Choice", 'obriens-choice'],
    ['Brighton & Hove Albion', 'brighton-and-hove-albion'],
    ['Texas A&M-CC Islanders', 'texas-a-and-m-cc-islanders'],
    ['Ｆｕｌｌ　Ｗｉｄｔｈ', 'full-width'],
    ['ЦСКА Москва', 'цска-москва'],
    ['北京国安', '北京国安'],
    ['Philadelphia 76ers', 'philadelphia-76ers'],
  ])('%j → %j', (name, key) => {
    expect(nameKey(name)).toBe(key);
  });

  it('never yields a colon, spaces or leading/trailing dashes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (name) => {
        const key = nameKey(name);
        expect(key).not.toMatch(/[:\s]|^-|-$/u);
        expect(nameKey(key)).toBe(key);
      }),
    );
  });

  it('treats names without letters or digits as blank', () => {
    expect(isBlankName('')).toBe(true);
    expect(isBlankName('  ')).toBe(true);
    expect(isBlankName('-?!')).toBe(true);
    expect(isBlankName('X')).toBe(false);
  });
});

describe('stripCountrySuffix', () => {
  it.each([
    ['Realaide (NZ)', 'Realaide'],
    ['Sunshine Coast (AUS)', 'Sunshine Coast'],
    ['Wolverhampton (AW)', 'Wolverhampton'],
    ['Newmarket', 'Newmarket'],
    ['Name (Jr)', 'Name (Jr)'],
  ])('%j → %j', (name, stripped) => {
    expect(stripCountrySuffix(name)).toBe(stripped);
  });
});
