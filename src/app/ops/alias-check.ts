import { canonicalSport, isRacingFamily } from '../../../processors/normalize/sports.js';
import type { AliasKind, AliasTables } from '../../../processors/normalize/aliases.js';
import { teamsOf } from '../../../processors/normalize/event-id.js';
import { isBlankName, nameKey, stripCountrySuffix } from '../../../processors/normalize/name-key.js';
import { runnerName } from '../../../processors/normalize/selection-id.js';
import type { RawMarketBook, RawResult } from '../../core/generated/avro-types.js';

/** A name seen in the data that no entry of its alias table spells, with how often it was seen. */
export interface UnmatchedName {
  kind: AliasKind;
  name: string;
  count: number;
  /** A canonical name of the table that looks like the same thing (shares most words); null if none. */
  maybe: string | null;
}

// Outcomes that are not names of anything: they never need an alias.
const generic = new Set(['draw', 'the-draw', 'tie', 'x', 'over', 'under', 'yes', 'no']);

/** The three-letter runs of a name key: close spellings share most of them. */
function trigrams(key: string): Set<string> {
  const padded = ` ${key.replaceAll('-', ' ')} `;
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3));
  return grams;
}

/**
 * The canonical name whose spelling shares the most trigrams with `key` (Jaccard ≥ 0.5): offers
 * "Manchester United" for "Manchester Utd" and "Bayer Leverkusen" for "Leverkusen", but not
 * "Washington Commanders" for "Washington Wizards".
 */
function closest(key: string, table: ReadonlyMap<string, string>): string | null {
  const mine = trigrams(key);
  let best: { name: string; score: number } | null = null;
  for (const [spelling, canonical] of table) {
    const theirs = trigrams(spelling);
    const shared = [...mine].filter((g) => theirs.has(g)).length;
    const score = shared / (mine.size + theirs.size - shared);
    if (score >= 0.5 && (best === null || score > best.score)) best = { name: canonical, score };
  }
  return best?.name ?? null;
}

/**
 * The names of recent records that no alias table entry matches, most frequent first: the list an
 * operator goes through to grow the alias files (docs/architecture.md, "Alias tables"). Teams come
 * from home/away (or an event name "A v B"), venues from races, selections from the runners of
 * races and the outcomes of markets that are not between two teams (outrights, players).
 */
export function unmatchedNames(
  records: Iterable<RawMarketBook | RawResult>,
  tables: AliasTables,
): UnmatchedName[] {
  const counts = new Map<string, { kind: AliasKind; name: string; count: number }>();
  const see = (kind: AliasKind, name: string | null | undefined, key = name ? nameKey(name) : '') => {
    if (!name || isBlankName(name) || key === '' || generic.has(key) || tables[kind].has(key)) return;
    const id = `${kind}\u0000${key}`;
    const entry = counts.get(id) ?? { kind, name: name.trim(), count: 0 };
    entry.count++;
    counts.set(id, entry);
  };
  for (const record of records) {
    const racing = isRacingFamily(canonicalSport(record.sport).family) || record.venue !== null;
    const teams = racing ? null : teamsOf(record);
    for (const team of teams ?? []) see('teams', team);
    if (record.venue !== null) {
      const bare = stripCountrySuffix(record.venue.trim());
      if (!tables.venues.has(nameKey(record.venue))) see('venues', bare);
    }
    const names =
      'selections' in record ? record.selections.map((s) => s.name) : record.runners.map((r) => r.name);
    if (teams !== null) continue; // the outcomes of a game are its teams (or draw, over, under)
    for (const name of names) {
      if (name === null) continue;
      const runner = runnerName(name);
      // An outright's outcome may be a team: the teams table names it then.
      if (!tables.teams.has(nameKey(runner))) see('selections', runner, nameKey(runner));
    }
  }
  return [...counts.values()]
    .map((e) => ({ ...e, maybe: closest(nameKey(e.name), tables[e.kind]) }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
