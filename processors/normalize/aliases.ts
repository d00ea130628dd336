import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../../src/core/config/paths.js';
import { z } from 'zod';
import { ConfigError } from '../../src/core/errors.js';
import { nameKey, stripCountrySuffix } from './name-key.js';

/** Name key (see nameKey) → canonical display name. */
export type AliasTable = ReadonlyMap<string, string>;

export interface AliasTables {
  teams: AliasTable;
  venues: AliasTable;
  /** Runners and outcomes that are not teams (horses, dogs, players, "The Draw"). */
  selections: AliasTable;
}

export const aliasKinds = ['teams', 'venues', 'selections'] as const;
export type AliasKind = (typeof aliasKinds)[number];

/** The files of each table, merged in order: every file adds spellings to the same table. */
export type AliasFiles = Record<AliasKind, readonly string[]>;

/** The tables shipped with the project (real entries, growing); deployments add their own files. */
// From the package root, not this module's URL: a build (dist/) holds no JSON, the package does.
export const bundledAliasFiles: AliasFiles = {
  teams: [path.join(packageRoot, 'processors', 'normalize', 'aliases', 'teams.json')],
  venues: [path.join(packageRoot, 'processors', 'normalize', 'aliases', 'venues.json')],
  selections: [path.join(packageRoot, 'processors', 'normalize', 'aliases', 'selections.json')],
};

export const emptyAliasTables: AliasTables = { teams: new Map(), venues: new Map(), selections: new Map() };

const fileList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f.length > 0);

/** The bundled tables, then the files the settings name (comma-separated lists), in that order. */
export function aliasFilesOf(settings: {
  ODDSFLOW_TEAM_ALIASES_FILE?: string | undefined;
  ODDSFLOW_VENUE_ALIASES_FILE?: string | undefined;
  ODDSFLOW_SELECTION_ALIASES_FILE?: string | undefined;
}): AliasFiles {
  return {
    teams: [...bundledAliasFiles.teams, ...fileList(settings.ODDSFLOW_TEAM_ALIASES_FILE)],
    venues: [...bundledAliasFiles.venues, ...fileList(settings.ODDSFLOW_VENUE_ALIASES_FILE)],
    selections: [...bundledAliasFiles.selections, ...fileList(settings.ODDSFLOW_SELECTION_ALIASES_FILE)],
  };
}

// { "Los Angeles Lakers": ["LA Lakers", "L.A. Lakers"] }: canonical name → the other spellings.
// Keys starting with "//" are comments (JSON has none): { "//": "why this table exists" }.
const aliasFileSchema = z.record(
  z.string().trim().min(1),
  z.union([z.array(z.string().trim().min(1)), z.string()]),
);

/**
 * Adds a parsed alias file to `table` (a new one by default); `source` names the file in the
 * problems. A spelling already claimed by another canonical name, in this file or an earlier one,
 * is a problem: the same key cannot mean two teams.
 */
export function buildAliasTable(
  json: unknown,
  source: string,
  table: Map<string, string> = new Map(),
): Map<string, string> {
  const parsed = aliasFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  const problems: string[] = [];
  for (const [canonical, aliases] of Object.entries(parsed.data)) {
    if (canonical.startsWith('//')) continue;
    if (typeof aliases === 'string') {
      problems.push(`${source}: ${canonical}: expected a list of spellings, got a string`);
      continue;
    }
    for (const spelling of [canonical, ...aliases]) {
      const key = nameKey(spelling);
      const previous = table.get(key);
      if (key === '') problems.push(`${source}: "${spelling}" has no letters or digits`);
      else if (previous !== undefined && previous !== canonical) {
        problems.push(`${source}: "${spelling}" is an alias of both "${previous}" and "${canonical}"`);
      } else table.set(key, canonical);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return table;
}

async function loadTable(files: readonly string[]): Promise<AliasTable> {
  const table = new Map<string, string>();
  for (const file of files) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new ConfigError([`${file}: cannot read alias table: ${(err as Error).message}`]);
    }
    buildAliasTable(json, file, table);
  }
  return table;
}

export async function loadAliasTables(files: AliasFiles): Promise<AliasTables> {
  const [teams, venues, selections] = await Promise.all(aliasKinds.map((kind) => loadTable(files[kind])));
  return { teams: teams!, venues: venues!, selections: selections! };
}

/** The canonical spelling of a team (or player) name, or the name itself when it has no alias. */
export function canonicalTeamName(tables: AliasTables, name: string): string {
  return tables.teams.get(nameKey(name)) ?? name.trim();
}

/** The canonical spelling of a venue; a trailing "(AUS)"/"(AW)" tag is ignored. */
export function canonicalVenueName(tables: AliasTables, venue: string): string {
  const bare = stripCountrySuffix(venue.trim());
  return tables.venues.get(nameKey(venue)) ?? tables.venues.get(nameKey(bare)) ?? bare;
}

/** The canonical spelling of a runner or outcome, or the name itself when it has no alias. */
export function canonicalSelectionName(tables: AliasTables, name: string): string {
  return tables.selections.get(nameKey(name)) ?? name.trim();
}
