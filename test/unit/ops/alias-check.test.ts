import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildAliasTable,
  bundledAliasFiles,
  loadAliasTables,
} from '../../../processors/normalize/aliases.js';
import { packageRoot } from '../../../src/core/config/paths.js';
import { unmatchedNames } from '../../../src/app/ops/alias-check.js';
import { rawBook, rawResult, selection } from '../processors/normalize/raw-records.js';

describe('unmatchedNames', () => {
  it('counts the team, venue and runner names no alias spells, most frequent first, with a likely match', async () => {
    const tables = await loadAliasTables(bundledAliasFiles);
    const game = (home: string, away: string) => rawBook({ homeTeam: home, awayTeam: away });
    const race = rawBook({
      provider: 'betfair',
      sport: '7',
      homeTeam: null,
      awayTeam: null,
      venue: 'Kempton Park (GB)',
      marketType: 'WIN',
      selections: [selection('1. Silver Arrow', '3.5'), selection('2. Storm Harbour (IRE)', '4.0')],
    });
    const names = unmatchedNames(
      [
        game('Manchester Utd', 'Arsenal'),
        game('Man Utd', 'Arsenal'),
        game('Manchester Utd', 'Chelsea'),
        race,
        { ...race, venue: 'Wolverhampton' },
        rawResult({ homeTeam: 'LA Lakers', awayTeam: 'Boston Celtics' }),
      ],
      tables,
    );
    expect(names.map((n) => [n.kind, n.name, n.count])).toEqual([
      ['teams', 'Arsenal', 2],
      ['selections', 'Silver Arrow', 2],
      ['selections', 'Storm Harbour', 2],
      ['teams', 'Boston Celtics', 1],
      ['teams', 'Chelsea', 1],
      ['venues', 'Wolverhampton', 1],
    ]);
    // "Manchester Utd" and "Man Utd" are bundled aliases, "Kempton Park" a bundled venue spelling,
    // "LA Lakers" a bundled team alias: matched, not listed.
    const more = unmatchedNames([game('Manchester Utd.', 'Leverkusen')], {
      ...tables,
      teams: buildAliasTable({ 'Bayer Leverkusen': ['Bayer 04 Leverkusen'] }, 'extra'),
    });
    expect(more.map((n) => [n.name, n.maybe])).toEqual([
      ['Leverkusen', 'Bayer Leverkusen'],
      ['Manchester Utd.', null],
    ]);
  });

  it('leaves out the outcomes that name nothing: draw, over, under', async () => {
    const tables = await loadAliasTables(bundledAliasFiles);
    const outright = rawBook({
      homeTeam: null,
      awayTeam: null,
      eventName: 'Masters Tournament',
      marketType: 'outrights',
      selections: [selection('Tie', '30'), selection('Rory McIlroy', '8'), selection('Ludvig Åberg', '21')],
    });
    expect(unmatchedNames([outright], tables).map((n) => n.name)).toEqual(['Ludvig Åberg']);
  });
});

describe('oddsflow aliases check', () => {
  it('lists the names of a payload file by count', () => {
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(packageRoot, 'src/app/cli/main.ts'),
        'aliases',
        'check',
        '--provider',
        'betfair',
        '--file',
        path.join(packageRoot, 'test/fixtures/betfair/1.205822330.gz'),
        '--json',
      ],
      {
        cwd: packageRoot,
        env: { PATH: process.env.PATH ?? '', ODDSFLOW_LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(result.status).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; name: string; count: number });
    expect(lines.length).toBe(17); // the race's runners; its venue, Sunshine Coast, is in the table
    expect(lines.every((l) => l.kind === 'selections' && l.count > 1000)).toBe(true);
    expect(lines.map((l) => l.name)).toContain('Gap Year');
    expect(result.stderr).toMatch(/aliases check: \d+ records read, 17 names without an alias/u);
  });
});
