import type { Random } from './random.js';

/**
 * Plausible names for the simulators (issue 13: no "München Hoopers" in the NBA). The two
 * simulators that share sports draw from disjoint lists, so their games never meet under one
 * canonical event in the demo: The Odds API simulator takes the first list, the WebSocket one the
 * second.
 */
export const teamsByLeague = {
  nba: [
    [
      'Los Angeles Lakers',
      'Golden State Warriors',
      'New York Knicks',
      'Philadelphia 76ers',
      'Milwaukee Bucks',
      'Dallas Mavericks',
      'Los Angeles Clippers',
      'Atlanta Hawks',
      'Toronto Raptors',
      'Cleveland Cavaliers',
      'Sacramento Kings',
      'Memphis Grizzlies',
      'New Orleans Pelicans',
      'Minnesota Timberwolves',
      'Oklahoma City Thunder',
      'Houston Rockets',
      'San Antonio Spurs',
      'Orlando Magic',
      'Detroit Pistons',
      'Indiana Pacers',
      'Charlotte Hornets',
      'Brooklyn Nets',
      'Portland Trail Blazers',
      'Washington Wizards',
    ],
    ['Boston Celtics', 'Denver Nuggets', 'Miami Heat', 'Phoenix Suns', 'Utah Jazz', 'Chicago Bulls'],
  ],
  epl: [
    [
      'Manchester United',
      'Manchester City',
      'Tottenham Hotspur',
      'Newcastle United',
      'Aston Villa',
      'West Ham United',
      'Brighton and Hove Albion',
      'Crystal Palace',
      'Nottingham Forest',
      'AFC Bournemouth',
      'Leicester City',
      'Southampton',
    ],
    [
      'Arsenal',
      'Chelsea',
      'Everton',
      'Fulham',
      'Brentford',
      'Liverpool',
      'Burnley',
      'Wolves',
      'Sheffield United',
      'Luton Town',
      'Leeds United',
      'Ipswich Town',
    ],
  ],
  nfl: [
    [
      'Kansas City Chiefs',
      'Buffalo Bills',
      'Philadelphia Eagles',
      'Dallas Cowboys',
      'San Francisco 49ers',
      'Baltimore Ravens',
      'Detroit Lions',
      'Miami Dolphins',
      'Cincinnati Bengals',
      'Green Bay Packers',
      'Pittsburgh Steelers',
      'Seattle Seahawks',
      'Los Angeles Rams',
      'New England Patriots',
      'Chicago Bears',
      'Denver Broncos',
    ],
    [],
  ],
  mlb: [
    [
      'New York Yankees',
      'Boston Red Sox',
      'Los Angeles Dodgers',
      'Chicago Cubs',
      'Houston Astros',
      'Atlanta Braves',
      'St. Louis Cardinals',
      'San Francisco Giants',
      'Philadelphia Phillies',
      'Seattle Mariners',
      'Toronto Blue Jays',
      'Texas Rangers',
    ],
    [],
  ],
} as const;

const leagueOfSport: Record<string, keyof typeof teamsByLeague> = {
  basketball_nba: 'nba',
  soccer_epl: 'epl',
  americanfootball_nfl: 'nfl',
  baseball_mlb: 'mlb',
};

// Non-ASCII on purpose: real feeds carry Bodø/Glimt and Śląsk Wrocław.
const cities = [
  'Bodø',
  'Wrocław',
  'Málaga',
  'Zürich',
  'Porto',
  'Oslo',
  'Kraków',
  'Sevilla',
  'Lyon',
  'São Paulo',
  'Graz',
  'Göteborg',
];

/**
 * The teams of a simulated sport: the real league's for the sports it knows (`set` 0 or 1 picks
 * the simulator's half), else city clubs with the family's usual suffix (`Bodø FC`).
 */
export function teamsFor(sportKey: string, set: 0 | 1): readonly string[] {
  const league = leagueOfSport[sportKey];
  const known = league === undefined ? [] : teamsByLeague[league][set];
  if (known.length >= 2) return known;
  const family = sportKey.split('_')[0] ?? '';
  const suffix = family === 'soccer' ? 'FC' : family === 'basketball' ? 'BC' : 'Club';
  return cities.map((city) => `${city} ${suffix}`);
}

/**
 * Draws two teams that have not met on this UTC day, so a day never has two games of one pair
 * unless the simulator means it (a doubleheader); after many tries (every pair has played) it
 * takes a pair that has, as a long-running simulation must. `played` is the day's pair keys.
 */
export function drawPair(
  teams: readonly string[],
  random: Random,
  played: ReadonlySet<string>,
): [string, string] {
  let pair: [string, string] = [teams[0] ?? 'Home', teams[1] ?? 'Away'];
  for (let attempt = 0; attempt < 200; attempt++) {
    const a = Math.floor(random() * teams.length);
    const b = (a + 1 + Math.floor(random() * (teams.length - 1))) % teams.length;
    pair = [teams[a]!, teams[b]!];
    if (!played.has(pairKey(pair[0], pair[1]))) return pair;
  }
  return pair;
}

export const pairKey = (a: string, b: string): string => [a, b].sort().join('\u0000');

export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
