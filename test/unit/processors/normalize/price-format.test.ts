import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  toDecimalOdds,
  type PriceFormat,
  priceFormats,
} from '../../../../processors/normalize/price-format.js';

function odds(price: string, format: PriceFormat): number {
  const converted = toDecimalOdds(price, format);
  if (!converted.ok) throw new Error(`${format} "${price}": ${converted.message}`);
  return converted.decimal.toNumber();
}

describe('toDecimalOdds: valid prices', () => {
  it.each([
    ['decimal', '3.5', 3.5],
    ['decimal', ' 2.50 ', 2.5],
    ['decimal', '1.01', 1.01],
    ['decimal', '1000', 1000],
    ['decimal', '1.0', 1],
    ['fractional', '5/2', 3.5],
    ['fractional', '100/30', 13 / 3],
    ['fractional', '1/1', 2],
    ['fractional', 'EVS', 2],
    ['fractional', 'evens', 2],
    ['fractional', 'Evens', 2],
    // 5/3 exactly, rounded once; binary 1 + 4/6 rounds twice and lands one ulp lower.
    ['fractional', '4/6', 5 / 3],
    ['fractional', '4-6', 5 / 3],
    ['fractional', '11 / 10', 2.1],
    ['fractional', '0/1', 1],
    ['american', '-125', 1.8],
    ['american', '+150', 2.5],
    ['american', '150', 2.5],
    ['american', '\u2212125', 1.8],
    ['american', '+100', 2],
    ['american', '-100', 2],
    ['american', '-10000', 1.01],
    ['american', '+2200', 23],
    ['american', 'EVEN', 2],
    ['hongkong', '0.5', 1.5],
    ['hongkong', '1.5', 2.5],
    ['malay', '0.5', 1.5],
    ['malay', '-0.5', 3],
    ['malay', '1', 2],
    ['malay', '-1', 2],
    ['malay', '\u22120.8', 2.25],
    ['indonesian', '1.5', 2.5],
    ['indonesian', '-2', 1.5],
    ['indonesian', '1', 2],
    ['indonesian', '-1', 2],
  ] as const)('%s %j → %d', (format, price, expected) => {
    expect(odds(price, format)).toBe(expected);
  });

  it('keeps American -110 exact to the double nearest 1 + 100/110', () => {
    expect(odds('-110', 'american')).toBe(1 + 100 / 110);
  });
});

describe('toDecimalOdds: invalid prices are INVALID_PRICE, never NaN', () => {
  it.each([
    ['decimal', 'abc'],
    ['decimal', ''],
    ['decimal', 'NaN'],
    ['decimal', 'Infinity'],
    ['decimal', '1e3'],
    ['decimal', '0x10'],
    ['decimal', '-2'],
    ['decimal', '0'],
    ['fractional', '5/0'],
    ['fractional', '5/'],
    ['fractional', '-5/2'],
    ['fractional', '5/2/1'],
    ['fractional', 'Infinity/1'],
    ['american', '-99'],
    ['american', '50'],
    ['american', '+99.9'],
    ['american', '0'],
    ['american', 'Infinity'],
    ['american', 'NaN'],
    ['hongkong', '-0.5'],
    ['hongkong', 'x'],
    ['malay', '0'],
    ['malay', '1.2'],
    ['malay', '-1.5'],
    ['indonesian', '0.5'],
    ['indonesian', '-0.99'],
    ['indonesian', '0'],
  ] as const)('%s %j', (format, price) => {
    const converted = toDecimalOdds(price, format);
    expect(converted.ok).toBe(false);
    if (!converted.ok) {
      expect(converted.code).toBe('INVALID_PRICE');
      expect(converted.message).toContain(price.trim() === '' ? '""' : price);
    }
  });
});

describe('toDecimalOdds: properties', () => {
  const american = fc.oneof(fc.integer({ min: 100, max: 100_000 }), fc.integer({ min: -100_000, max: -100 }));

  it('a fraction and its American equivalent give the same decimal', () => {
    fc.assert(
      fc.property(american, (x) => {
        const fraction = x > 0 ? `${x}/100` : `100/${-x}`;
        const signed = x > 0 ? `+${x}` : `${x}`;
        expect(odds(fraction, 'fractional')).toBe(odds(signed, 'american'));
      }),
    );
  });

  it('any fraction agrees with the American price computed from it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 500 }), (a, b) => {
        const us = a >= b ? `+${(100 * a) / b}` : `${(-100 * b) / a}`;
        expect(odds(us, 'american')).toBeCloseTo(odds(`${a}/${b}`, 'fractional'), 10);
      }),
    );
  });

  it('Indonesian i is American 100·i', () => {
    fc.assert(
      fc.property(american, (x) => {
        expect(odds(String(x / 100), 'indonesian')).toBe(odds(String(x), 'american'));
      }),
    );
  });

  it('Malay equals Hong Kong up to 1, and −1/HK above it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (n) => {
        const hk = n / 100;
        const malay = hk <= 1 ? String(hk) : String(-1 / hk);
        expect(odds(malay, 'malay')).toBeCloseTo(odds(String(hk), 'hongkong'), 10);
      }),
    );
  });

  it('American, fractional and Indonesian conversions never decrease as the price grows', () => {
    fc.assert(
      fc.property(american, american, (x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        expect(odds(String(lo), 'american')).toBeLessThanOrEqual(odds(String(hi), 'american'));
        expect(odds(String(lo / 100), 'indonesian')).toBeLessThanOrEqual(
          odds(String(hi / 100), 'indonesian'),
        );
      }),
    );
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), fc.integer({ min: 1, max: 100 }), (a, c, b) => {
        const [lo, hi] = a <= c ? [a, c] : [c, a];
        expect(odds(`${lo}/${b}`, 'fractional')).toBeLessThanOrEqual(odds(`${hi}/${b}`, 'fractional'));
      }),
    );
  });

  it('every input yields a finite positive decimal or an INVALID_PRICE issue', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(...priceFormats), (text, format) => {
        const converted = toDecimalOdds(text, format);
        if (converted.ok) {
          expect(converted.decimal.isFinite()).toBe(true);
          expect(converted.decimal.toNumber()).toBeGreaterThanOrEqual(1);
        } else expect(converted.code).toBe('INVALID_PRICE');
      }),
    );
  });
});
