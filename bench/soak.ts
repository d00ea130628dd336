import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/app/config/load.js';
import { stackDown, stackUp } from '../stack/index.js';
import { stackLayout } from '../stack/layout.js';
import { runningPid } from '../stack/processes.js';
import { timescaleService } from '../stack/services.js';
import { memoryChartSvg } from './soak/chart.js';
import { lastLoggedHeap, rssOf, type MemorySample } from './soak/memory.js';
import { SoakUsageError, parseSoakOptions, soakUsage } from './soak/options.js';
import { runDemoRound, type RoundOutcome } from './soak/round.js';

const say = (line: string) => process.stderr.write(`[soak] ${line}\n`);

async function main(): Promise<number> {
  const options = parseSoakOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(soakUsage + '\n');
    return 0;
  }
  const config = loadConfig();
  if (config.explicit.database) {
    say('the soak measures the embedded TimescaleDB, the default path: unset DATABASE_URL');
    return 2;
  }
  // The stack stays up across rounds (each demo finds it running), so the database's memory is
  // measured over the whole soak; what this soak started, it stops at the end.
  const { started } = await stackUp(config, (line) => say(line));
  const layout = stackLayout(config.stackDir);
  const pid = runningPid(timescaleService.pidFile(layout), timescaleService.processMarker);
  if (pid === undefined) say('the embedded TimescaleDB runs outside this stack: its memory is not sampled');

  const began = Date.now();
  const elapsed = () => (Date.now() - began) / 1000;
  const sample = (): MemorySample => ({
    at: elapsed(),
    rssMb: pid === undefined ? null : rssOf(pid),
    heapUsedMb: lastLoggedHeap(layout.timescale.log),
  });
  const memory: MemorySample[] = [sample()];
  const sampler = setInterval(() => memory.push(sample()), 15_000);
  const rounds: (RoundOutcome & { round: number; rows: number })[] = [];
  try {
    for (let round = 1; ; round++) {
      if (options.rounds !== undefined && round > options.rounds) break;
      if (options.minutes !== undefined && elapsed() >= options.minutes * 60) break;
      const outcome = await runDemoRound(options.durationSeconds, (options.durationSeconds + 240) * 1000);
      const rows = Object.values(outcome.summary?.timescale ?? {}).reduce((a, b) => a + b, 0);
      rounds.push({ ...outcome, round, rows });
      const m = sample();
      memory.push(m);
      say(
        `round ${round}${options.rounds ? `/${options.rounds}` : ''}: exit ${outcome.exitCode}, ${outcome.seconds.toFixed(0)} s, ` +
          `${rows.toLocaleString('en-US')} rows, dead letters ${outcome.summary?.deadLetters ?? '?'}, ` +
          `stalls ${outcome.stalls.length}; embedded db heap ${m.heapUsedMb ?? '?'} MB, RSS ${m.rssMb ?? '?'} MB`,
      );
      for (const stall of outcome.stalls) say(`  stall: ${stall}`);
      // The demo runs the simulators without faults: a dead letter is a finding, and says why.
      if ((outcome.summary?.deadLetters ?? 0) > 0)
        say(`  dead letters by stage/reason: ${JSON.stringify(outcome.summary?.deadLetterReasons ?? {})}`);
    }
  } finally {
    clearInterval(sampler);
    if (started.length > 0) await stackDown(config, (line) => say(line), started);
  }

  const failed = rounds.filter((r) => r.exitCode !== 0 || r.stalls.length > 0 || !r.summary || r.rows === 0);
  const report = {
    durationSeconds: options.durationSeconds,
    rounds: rounds.map(({ round, exitCode, seconds, rows, stalls, summary }) => ({
      round,
      exitCode,
      seconds: Math.round(seconds),
      rows,
      tables: summary?.timescale ?? null,
      deadLetters: summary?.deadLetters ?? null,
      stalls,
    })),
    stalls: rounds.reduce((n, r) => n + r.stalls.length, 0),
    failedRounds: failed.length,
    memory,
  };
  const out = path.resolve(options.out);
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  const chart = out.replace(/\.json$/, '') + '.svg';
  writeFileSync(
    chart,
    memoryChartSvg(
      memory,
      `embedded TimescaleDB over ${rounds.length} demo rounds of ${options.durationSeconds} s`,
    ),
  );
  const heaps = memory.map((m) => m.heapUsedMb).filter((h): h is number => h !== null);
  const rss = memory.map((m) => m.rssMb).filter((h): h is number => h !== null);
  say(
    `${rounds.length} rounds in ${(elapsed() / 60).toFixed(1)} min: ${rounds.length - failed.length} exited 0 with rows, ` +
      `${report.stalls} stall(s); embedded db heap ${Math.min(...heaps)}–${Math.max(...heaps)} MB, RSS ${Math.min(...rss)}–${Math.max(...rss)} MB`,
  );
  say(`report ${path.relative(process.cwd(), out)}, chart ${path.relative(process.cwd(), chart)}`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(
      err instanceof SoakUsageError
        ? err.message
        : `failed: ${err instanceof Error ? err.message : String(err)}`,
    );
    process.exit(err instanceof SoakUsageError ? 2 : 1);
  },
);
