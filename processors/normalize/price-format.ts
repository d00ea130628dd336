import { Decimal } from 'decimal.js';

export const priceFormats = ['decimal', 'fractional', 'american', 'hongkong', 'malay', 'indonesian'] as const;
export type PriceFormat = (typeof priceFormats)[number];

export type PriceConversion =
  { ok: true; decimal: Decimal } | { ok: false; code: 'INVALID_PRICE'; message: string };

// Plain numbers only: no exponent, hex, "Infinity" or "NaN" (Number() would accept those).
const plainNumber = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/u;
// U+2212 minus, en dash, small and full-width hyphen-minus, as typeset odds tables use them.
const minusSigns = /[\u2212\u2013\uFE63\uFF0D]/gu;
// "5/2", "5-2" (US tote boards), "5⁄2" (fraction slash).
const fraction = /^(\d+(?:\.\d+)?)\s*[/\u2044-]\s*(\d+(?:\.\d+)?)$/u;
const evens = /^(?:evs|evens|even|evn)$/iu;

const ONE = new Decimal(1);
const HUNDRED = new Decimal(100);

function invalid(message: string): PriceConversion {
  return { ok: false, code: 'INVALID_PRICE', message };
}

function ok(decimal: Decimal): PriceConversion {
  return { ok: true, decimal };
}

function parseNumber(text: string): Decimal | undefined {
  const cleaned = text.replace(minusSigns, '-').replace(/\s+/gu, '');
  return plainNumber.test(cleaned) ? new Decimal(cleaned) : undefined;
}

function fromDecimal(text: string): PriceConversion {
  const d = parseNumber(text);
  if (d === undefined) return invalid(`"${text}" is not a decimal price`);
  if (d.lte(0)) return invalid(`decimal price ${text} is not positive`);
  return ok(d);
}

function fromFractional(text: string): PriceConversion {
  const trimmed = text.trim();
  if (evens.test(trimmed)) return ok(new Decimal(2));
  const match = fraction.exec(trimmed);
  if (!match?.[1] || !match[2]) return invalid(`"${text}" is not a fractional price (a/b)`);
  const denominator = new Decimal(match[2]);
  if (denominator.isZero()) return invalid(`fractional price ${text} has a zero denominator`);
  return ok(ONE.plus(new Decimal(match[1]).div(denominator)));
}

// American: +x pays x per 100 staked, −x needs x staked to win 100; |x| < 100 does not exist
// (https://en.wikipedia.org/wiki/Fixed-odds_betting#Moneyline_odds). ±100 are both evens.
function fromAmerican(text: string): PriceConversion {
  if (evens.test(text.trim())) return ok(new Decimal(2));
  const x = parseNumber(text);
  if (x === undefined) return invalid(`"${text}" is not an American price`);
  if (x.abs().lt(HUNDRED)) return invalid(`American price ${text} is between -100 and +100`);
  return ok(x.gt(0) ? ONE.plus(x.div(HUNDRED)) : ONE.plus(HUNDRED.div(x.abs())));
}

function fromHongKong(text: string): PriceConversion {
  const h = parseNumber(text);
  if (h === undefined) return invalid(`"${text}" is not a Hong Kong price`);
  if (h.lt(0)) return invalid(`Hong Kong price ${text} is negative`);
  return ok(ONE.plus(h));
}

// Malay odds live in [-1, 1] \ {0}: positive is the Hong Kong price, negative is -1/HK.
function fromMalay(text: string): PriceConversion {
  const m = parseNumber(text);
  if (m === undefined) return invalid(`"${text}" is not a Malay price`);
  if (m.isZero() || m.abs().gt(ONE)) return invalid(`Malay price ${text} is outside [-1, 1] or zero`);
  return ok(m.gt(0) ? ONE.plus(m) : ONE.minus(ONE.div(m)));
}

// Indonesian odds are American divided by 100, so (-1, 1) does not exist.
function fromIndonesian(text: string): PriceConversion {
  const i = parseNumber(text);
  if (i === undefined) return invalid(`"${text}" is not an Indonesian price`);
  if (i.abs().lt(ONE)) return invalid(`Indonesian price ${text} is between -1 and +1`);
  return ok(i.gt(0) ? ONE.plus(i) : ONE.minus(ONE.div(i)));
}

const converters: Record<PriceFormat, (text: string) => PriceConversion> = {
  decimal: fromDecimal,
  fractional: fromFractional,
  american: fromAmerican,
  hongkong: fromHongKong,
  malay: fromMalay,
  indonesian: fromIndonesian,
};

/**
 * A price as the provider gave it → decimal odds, computed in decimal arithmetic (decimal.js) so
 * that equal prices in different formats ("5/2", "+150", "1.5" Hong Kong, "2.5") give the same
 * double, with no binary rounding in between. Invalid input is an `INVALID_PRICE` outcome, never
 * NaN or an exception; the odds range is the validator's business.
 */
export function toDecimalOdds(price: string, format: PriceFormat): PriceConversion {
  return converters[format](price);
}
