import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors.js';
import {
  aliasFilesOf,
  buildAliasTable,
  bundledAliasFiles,
  canonicalSelectionName,
  canonicalTeamName,
  canonicalVenueName,
  emptyAliasTables,
  loadAliasTables,
} from '../../../../processors/normalize/aliases.js';
import { displayName, selectionIdFor } from '../../../../processors/normalize/selection-id.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempFile(name: string, content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oddsflow-aliases-'));
  dirs.push(dir);
  const file = join(dir, name);
  await writeFile(file, content);
  return file;
}

describe('alias tables', () => {
  it('resolves every spelling of an alias, whatever its case, punctuation or accents', () => {
    const teams = buildAliasTable({ 'Los Angeles Lakers': ['LA Lakers', 'L.A. Lakers'] }, 'teams');
    const tables = { ...emptyAliasTables, teams };
    expect(canonicalTeamName(tables, 'LA Lakers')).toBe('Los Angeles Lakers');
    expect(canonicalTeamName(tables, 'l.a. lakers')).toBe('Los Angeles Lakers');
    expect(canonicalTeamName(tables, 'LOS ANGELES LAKERS')).toBe('Los Angeles Lakers');
    expect(canonicalTeamName(tables, ' Boston Celtics ')).toBe('Boston Celtics');
  });

  it('rejects an alias that names two teams, and a malformed file, with one line per problem', () => {
    expect(() =>
      buildAliasTable({ 'Manchester United': ['Man U'], 'Manchester City': ['man-u'] }, 'teams.json'),
    ).toThrow(/teams\.json: "man-u" is an alias of both "Manchester United" and "Manchester City"/u);
    const malformed = (): unknown => buildAliasTable({ Ascot: 'Ascot Racecourse' }, 'venues.json');
    expect(malformed).toThrow(ConfigError);
    expect(malformed).toThrow(/venues\.json: Ascot:/u);
  });

  it('loads the bundled tables, whose real entries resolve', async () => {
    const tables = await loadAliasTables(bundledAliasFiles);
    expect(canonicalTeamName(tables, 'LA Lakers')).toBe('Los Angeles Lakers');
    expect(canonicalTeamName(tables, 'Man Utd')).toBe('Manchester United');
    expect(canonicalTeamName(tables, 'Atletico Madrid')).toBe('Atlético Madrid');
    expect(canonicalVenueName(tables, 'Kempton Park')).toBe('Kempton');
    expect(canonicalVenueName(tables, 'Sunshine Coast (AUS)')).toBe('Sunshine Coast');
    expect(canonicalVenueName(tables, 'Lismore')).toBe('Lismore');
  });

  it('loads tables from the paths it is given and reports an unreadable file as a config error', async () => {
    const teamsFile = await tempFile('teams.json', JSON.stringify({ 'Inter Milan': ['Internazionale'] }));
    const venuesFile = await tempFile('venues.json', JSON.stringify({ 'Sha Tin': ['Shatin'] }));
    const files = { teams: [teamsFile], venues: [venuesFile], selections: [] };
    const tables = await loadAliasTables(files);
    expect(canonicalTeamName(tables, 'Internazionale')).toBe('Inter Milan');
    expect(canonicalVenueName(tables, 'Shatin')).toBe('Sha Tin');

    const broken = await tempFile('broken.json', '{ not json');
    await expect(loadAliasTables({ ...files, teams: [broken] })).rejects.toThrow(
      /broken\.json: cannot read alias table/u,
    );
    await expect(
      loadAliasTables({ ...files, venues: [join(tmpdir(), 'no-such-oddsflow.json')] }),
    ).rejects.toBeInstanceOf(ConfigError);
  });

  it('grows: files named in the settings add to the bundled tables, and a clash across files is refused', async () => {
    const extra = await tempFile(
      'more-teams.json',
      JSON.stringify({
        '//': 'our feed',
        'Los Angeles Lakers': ['Lakers LA'],
        'Boston Celtics': ['BOS Celtics'],
      }),
    );
    const files = aliasFilesOf({ ODDSFLOW_TEAM_ALIASES_FILE: ` ${extra} ` });
    expect(files.teams).toEqual([...bundledAliasFiles.teams, extra]);
    const tables = await loadAliasTables(files);
    // the bundled spellings still resolve, the added ones too, to the same canonical name
    expect(canonicalTeamName(tables, 'LA Lakers')).toBe('Los Angeles Lakers');
    expect(canonicalTeamName(tables, 'Lakers LA')).toBe('Los Angeles Lakers');
    expect(canonicalTeamName(tables, 'bos celtics')).toBe('Boston Celtics');

    const clash = await tempFile('clash.json', JSON.stringify({ 'Manchester City': ['Man Utd'] }));
    await expect(loadAliasTables(aliasFilesOf({ ODDSFLOW_TEAM_ALIASES_FILE: clash }))).rejects.toThrow(
      /clash\.json: "Man Utd" is an alias of both "Manchester United" and "Manchester City"/u,
    );
    const notAList = await tempFile('bad.json', JSON.stringify({ Ascot: 'Ascot Racecourse' }));
    await expect(loadAliasTables(aliasFilesOf({ ODDSFLOW_VENUE_ALIASES_FILE: notAList }))).rejects.toThrow(
      /bad\.json: Ascot: expected a list of spellings/u,
    );
  });

  it('names runners and outcomes through the selections table', async () => {
    const tables = await loadAliasTables(bundledAliasFiles);
    expect(canonicalSelectionName(tables, 'McIlroy Rory')).toBe('Rory McIlroy');
    expect(selectionIdFor('participant', 'x', { name: 'R. McIlroy', sourceSelectionId: '1' }, tables)).toBe(
      'rory-mcilroy',
    );
    expect(selectionIdFor('participant', 'x', { name: 'Empate', sourceSelectionId: '1' }, tables)).toBe(
      'draw',
    );
    const horses = { ...tables, selections: buildAliasTable({ 'Gap Year': ['Gap-Year'] }, 'sel.json') };
    expect(selectionIdFor('runner', 'x', { name: '4. Gap-Year (NZ)', sourceSelectionId: '1' }, horses)).toBe(
      'gap-year',
    );
    expect(displayName('runner', '4. Gap-Year (NZ)', horses)).toBe('Gap Year');
    expect(displayName('runner', '4. Storm Harbour', horses)).toBe('4. Storm Harbour');
  });
});
