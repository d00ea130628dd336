import { parseArgs } from 'node:util';
import {
  defaultScenarioNames,
  optInScenarioNames,
  profiles,
  quickScenarioNames,
  scenarioNames,
  type Profile,
  type ScenarioName,
} from './profiles.js';

export const usage = `npm run bench -- [--quick] [--only <scenario,…>] [options]

Scenarios: ${scenarioNames.join(', ')}
  --quick          shorter runs, without backfill and backtest (under 2 minutes)
  --only           run only these scenarios (${optInScenarioNames.join(', ')} run only when named here)
  --database-url   PostgreSQL for the sinks (default postgres://postgres@127.0.0.1:5432/test)
  --compare-embedded  URL of another embedded TimescaleDB to measure in sink_embedded beside this
                   project's (e.g. one started from an older commit)
  --latency-loads  offered loads of the latency scenario, changes/s, in order (default 200,2000)
  --partitions     partitions of every topic (default: ODDSFLOW_TOPIC_PARTITIONS, 6)
  --profile-roles  directory for V8 CPU profiles of the role processes (node --cpu-prof)
  --metrics-dir    directory where each role's last /metrics is saved before it stops
  --tsx            run the roles from the sources under tsx instead of from the compiled build
                   (dist/, built first, as the Docker image and the oddsflow bin run them); tsx's
                   loader adds ~40 MiB to each role's RSS
  --role-node-args Node.js flags for the role processes, space-separated, after the project's own
                   (src/app/node-flags.ts), so they override them (e.g. a heap cap:
                   --role-node-args="--max-old-space-size=144", with "=" since the value starts
                   with "--"; what NODE_OPTIONS would give a deployment)
Prints a table on stdout, progress on stderr, and writes bench/results.json.`;

export interface BenchOptions {
  help: boolean;
  quick: boolean;
  scenarios: Set<ScenarioName>;
  profile: Profile;
  databaseUrl: string;
  compareEmbeddedUrl: string | undefined;
  partitions: number | undefined;
  profileDir: string | undefined;
  metricsDir: string | undefined;
  /** Roles from the sources (`node --import tsx`) rather than dist/ (`node dist/src/app/cli/main.js`). */
  tsx: boolean;
  /** Node.js flags for the role processes, after the project's own. */
  roleNodeArgs: string[];
}

/** A command line the benchmark does not understand: one line for the user, no stack trace. */
export class BenchUsageError extends Error {
  readonly code = 'BENCH_USAGE';
}

/** The command line, checked; throws BenchUsageError on anything it does not understand. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  try {
    return checkedOptions(argv);
  } catch (err) {
    if (err instanceof BenchUsageError) throw err;
    // node:util parseArgs: unknown option, missing value.
    throw new BenchUsageError(`${(err as Error).message}\n\n${usage}`);
  }
}

function checkedOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
      'compare-embedded': { type: 'string' },
      'latency-loads': { type: 'string' },
      partitions: { type: 'string' },
      'profile-roles': { type: 'string' },
      'metrics-dir': { type: 'string' },
      tsx: { type: 'boolean', default: false },
      'role-node-args': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const wanted = values.only?.split(',').map((s) => s.trim()) ?? [
    ...(values.quick ? quickScenarioNames : defaultScenarioNames),
  ];
  const unknown = wanted.filter((s) => !(scenarioNames as readonly string[]).includes(s));
  if (unknown.length > 0) throw new BenchUsageError(`unknown scenario ${unknown.join(', ')}\n\n${usage}`);
  const partitions = values.partitions === undefined ? undefined : Number(values.partitions);
  if (partitions !== undefined && !(Number.isInteger(partitions) && partitions >= 1))
    throw new BenchUsageError(`--partitions ${values.partitions}: expected a whole number of at least 1`);
  return {
    help: values.help,
    quick: values.quick,
    scenarios: new Set(wanted as ScenarioName[]),
    profile: withLatencyLoads(values.quick ? profiles.quick : profiles.full, values['latency-loads']),
    databaseUrl: values['database-url'],
    compareEmbeddedUrl: values['compare-embedded'],
    partitions,
    profileDir: values['profile-roles'],
    metricsDir: values['metrics-dir'],
    tsx: values.tsx,
    roleNodeArgs: values['role-node-args']?.split(/\s+/).filter((a) => a !== '') ?? [],
  };
}

/** The profile with the latency loads of the command line (`200,2000`), if any. */
function withLatencyLoads(profile: Profile, loads: string | undefined): Profile {
  if (loads === undefined) return profile;
  const template = profile.latency.loads.at(-1)!;
  const rates = loads.split(',').map((x) => Number(x.trim()));
  if (rates.some((r) => !(r > 0)))
    throw new BenchUsageError(`--latency-loads ${loads}: expected rates such as 200,2000`);
  return {
    ...profile,
    latency: {
      ...profile.latency,
      loads: rates.map((perSecond) => ({
        ...template,
        perSecond,
        name: `latency_${perSecond}`,
      })),
    },
  };
}
