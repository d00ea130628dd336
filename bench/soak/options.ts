import { parseArgs } from 'node:util';

export const soakUsage = `npm run soak -- [--rounds N | --minutes M] [--duration S] [--out FILE]

Runs \`oddsflow demo --duration S --json\` back to back on the embedded TimescaleDB (no DATABASE_URL),
as a new user would, and reports per round: exit code, stalls, rows written, and the embedded
database's heap and RSS over time.
  --rounds     demo runs (default 20)
  --minutes    instead of --rounds: start rounds until this many minutes have passed
  --duration   seconds each demo runs (default 30)
  --out        report file (default bench/soak.json; an SVG chart is written beside it)
Exits 1 if any round stalled or failed.`;

export interface SoakOptions {
  help: boolean;
  rounds: number | undefined;
  minutes: number | undefined;
  durationSeconds: number;
  out: string;
}

export class SoakUsageError extends Error {
  readonly code = 'SOAK_USAGE';
}

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new SoakUsageError(`--${name}: a positive number, not "${text}"`);
  return n;
}

export function parseSoakOptions(argv: readonly string[]): SoakOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        rounds: { type: 'string' },
        minutes: { type: 'string' },
        duration: { type: 'string', default: '30' },
        out: { type: 'string', default: 'bench/soak.json' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    throw new SoakUsageError(`${(err as Error).message}\n\n${soakUsage}`);
  }
  const rounds = positive('rounds', values.rounds);
  const minutes = positive('minutes', values.minutes);
  if (rounds !== undefined && minutes !== undefined)
    throw new SoakUsageError('--rounds or --minutes, not both');
  return {
    help: values.help,
    rounds: rounds === undefined && minutes === undefined ? 20 : rounds,
    minutes,
    durationSeconds: positive('duration', values.duration)!,
    out: values.out,
  };
}
