import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../../src/config/paths.js';
import { z } from 'zod';
import { ConfigError } from '../../src/errors.js';
import { nameKey, stripCountrySuffix } from './name-key.js';

/** Name key (see nameKey) → canonical display name. */
export type AliasTable = ReadonlyMap<string, string>;

export interface AliasTables {
  teams: AliasTable;
  venues: AliasTable;
}

export interface AliasFiles {
  teamsFile: string;
  venuesFile: string;
}

/** The tables shipped with the project (a few real entries); deployments point at their own. */
// From the package root, not this module's URL: a build (dist/) holds no JSON, the package does.
export const bundledAliasFiles: AliasFiles = {
  teamsFile: path.join(packageRoot, 'processors', 'normalize', 'aliases', 'teams.json'),
  venuesFile: path.join(packageRoot, 'processors', 'normalize', 'aliases', 'venues.json'),
};

export const emptyAliasTables: AliasTables = { teams: new Map(), venues: new Map() };

// { "Los Angeles Lakers": ["LA Lakers", "L.A. Lakers"] }: canonical name → the other spellings.
const aliasFileSchema = z.record(z.string().trim().min(1), z.array(z.string().trim().min(1)));

/** Builds a table from a parsed alias file; `source` names it in the problems. */
export function buildAliasTable(json: unknown, source: string): AliasTable {
  const parsed = aliasFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  const table = new Map<string, string>();
  const problems: string[] = [];
  for (const [canonical, aliases] of Object.entries(parsed.data)) {
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

async function loadTable(file: string): Promise<AliasTable> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([`${file}: cannot read alias table: ${(err as Error).message}`]);
  }
  return buildAliasTable(json, file);
}

export async function loadAliasTables(files: AliasFiles): Promise<AliasTables> {
  const [teams, venues] = await Promise.all([loadTable(files.teamsFile), loadTable(files.venuesFile)]);
  return { teams, venues };
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
