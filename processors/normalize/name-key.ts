/**
 * Latin letters that Unicode NFKD does not decompose into a base letter plus accents, so
 * stripping combining marks alone would keep them (Bodø/Glimt, Śląsk Wrocław); "ö" and "é"
 * decompose and need no entry.
 */
const extraLatin: Record<string, string> = {
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
};

const combiningMarks = /\p{M}+/gu;
const extraLatinPattern = new RegExp(`[${Object.keys(extraLatin).join('')}]`, 'gu');
const elided = /['’`´.]/gu;
const separators = /[^\p{L}\p{N}]+/gu;

/**
 * A comparison key for a name: case, accents, punctuation and spacing removed, words joined
 * with `-` ("Montréal Canadiens" → "montreal-canadiens", "L.A. Lakers" → "la-lakers",
 * "Brighton & Hove Albion" → "brighton-and-hove-albion"). Letters of other scripts are kept
 * (lower-cased) rather than dropped, so a Cyrillic or Chinese name still has a key.
 */
export function nameKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(combiningMarks, '')
    .toLowerCase()
    .replace(extraLatinPattern, (ch) => extraLatin[ch] ?? ch)
    .replace(/&/gu, ' and ')
    .replace(elided, '')
    .replace(separators, '-')
    .replace(/^-+|-+$/gu, '');
}

/** True when the name has no letter or digit at all (blank, or punctuation only). */
export function isBlankName(name: string): boolean {
  return nameKey(name) === '';
}

const countrySuffix = /\s*\([A-Z]{2,3}\)\s*$/u;

/**
 * Removes a trailing country or surface tag: "Realaide (NZ)", "Sunshine Coast (AUS)",
 * "Wolverhampton (AW)". Betfair and other feeds differ in whether they add it.
 */
export function stripCountrySuffix(name: string): string {
  const stripped = name.replace(countrySuffix, '');
  return stripped === '' ? name : stripped;
}
