import { canonicalSelectionName, canonicalTeamName, type AliasTables } from './aliases.js';
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

/** A participant's spelling: the team table first, then the selections table (players, "The Draw"). */
function participantName(aliases: AliasTables, name: string): string {
  const team = canonicalTeamName(aliases, name);
  return team !== name.trim() ? team : canonicalSelectionName(aliases, name);
}

/**
 * An id that names the same selection at every provider: the canonical team key
 * (`los-angeles-lakers`), `draw`, `over`/`under`, or a runner's key without its cloth number
 * or country tag (`realaide`), each after the alias tables. A selection without a usable name
 * keeps the provider's id, prefixed with the provider (`betfair-38475728`): Betfair's runner ids
 * are the same in the WIN and PLACE markets of a race, so those still match each other.
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
  if (kind === 'runner') return nameKey(canonicalSelectionName(aliases, runnerName(name))) || nameKey(name);
  if (kind === 'over-under') {
    const key = nameKey(canonicalSelectionName(aliases, name));
    const word = key.split('-')[0];
    return word === 'over' || word === 'under' ? word : key;
  }
  const key = nameKey(participantName(aliases, name));
  return drawNames.has(key) ? 'draw' : key;
}

/** The display name a book carries: the alias tables' spelling where they have one. */
export function displayName(kind: SelectionKind, name: string | null, aliases: AliasTables): string | null {
  if (name === null) return null;
  if (kind === 'participant') return participantName(aliases, name);
  if (kind === 'runner') {
    const bare = runnerName(name);
    const canonical = canonicalSelectionName(aliases, bare);
    return canonical !== bare ? canonical : name.trim();
  }
  return name.trim();
}
