import { canonicalTeamName, type AliasTables } from './aliases.js';
import { isBlankName, nameKey, stripCountrySuffix } from './name-key.js';

const drawNames = new Set(['draw', 'the-draw', 'tie', 'x']);

/** How a market's selections are named, which decides how their names become ids. */
export type SelectionKind = 'runner' | 'over-under' | 'participant';

export function selectionKindFor(marketType: string, racing: boolean): SelectionKind {
  if (marketType === 'TOTAL' || marketType === 'TEAM_TOTAL') return 'over-under';
  if (racing || marketType === 'WIN' || marketType === 'PLACE' || marketType === 'EACH_WAY') return 'runner';
  return 'participant';
}

// Greyhound traps and saddle-cloth numbers: "1. Realaide", "3 Dog Name", "(4) Name", "2) Name".
const clothNumber = /^\s*\(?\d{1,2}[.)]?\s+(?=\S)/u;

export function runnerName(name: string): string {
  return stripCountrySuffix(name.replace(clothNumber, '')).trim();
}

/**
 * An id that names the same selection at every provider: the canonical team key
 * (`los-angeles-lakers`), `draw`, `over`/`under`, or a runner's key without its cloth number
 * or country tag (`realaide`). A selection without a usable name keeps the provider's id,
 * prefixed with the provider (`betfair-38475728`): Betfair's runner ids are the same in the WIN and
 * PLACE markets of a race, so those still match each other.
 */
export function selectionIdFor(
  kind: SelectionKind,
  provider: string,
  selection: { name: string | null; sourceSelectionId: string },
  aliases: AliasTables,
): string {
  const { name } = selection;
  if (name === null || isBlankName(name)) {
    return `${nameKey(provider)}-${selection.sourceSelectionId.trim().replace(/[:\s]+/gu, '_')}`;
  }
  const key = nameKey(name);
  if (kind === 'over-under') {
    const word = key.split('-')[0];
    if (word === 'over' || word === 'under') return word;
    return key;
  }
  if (kind === 'runner') return nameKey(runnerName(name)) || key;
  if (drawNames.has(key)) return 'draw';
  return nameKey(canonicalTeamName(aliases, name));
}

/** The display name a book carries: the alias table's spelling where it has one. */
export function displayName(kind: SelectionKind, name: string | null, aliases: AliasTables): string | null {
  if (name === null) return null;
  return kind === 'participant' ? canonicalTeamName(aliases, name) : name.trim();
}
