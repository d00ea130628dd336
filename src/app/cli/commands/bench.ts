import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { packageRoot } from '../../../core/config/paths.js';
import { OddsflowError } from '../../../core/errors.js';
import { runCommand } from '../context.js';

const benchScript = path.join(packageRoot, 'bench', 'run.ts');

/**
 * `oddsflow bench …` is `npm run bench -- …`: the benchmark runs its role processes from the
 * sources (tsx), so it lives beside them and this command hands over to it, options untouched
 * (`oddsflow bench --help` prints the benchmark's own usage).
 */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description(
      'measure throughput, latency and memory on the local stack (bench/README.md); `oddsflow bench --help` for its options',
    )
    .argument('[options...]', 'passed to the benchmark as they are')
    .allowUnknownOption()
    .helpOption(false)
    .action((args: string[]) =>
      runCommand(async () => {
        if (!existsSync(benchScript))
          throw new OddsflowError(
            'CONFIG_INVALID',
            `the benchmark needs the source checkout (${path.relative(packageRoot, benchScript)} is not here): run it from the repository with npm run bench`,
          );
        const child = spawn(process.execPath, ['--import', 'tsx', benchScript, ...args], {
          cwd: packageRoot,
          stdio: 'inherit',
        });
        // The benchmark cleans up on Ctrl-C itself; this process only waits for it.
        const ignore = () => undefined;
        process.on('SIGINT', ignore);
        process.on('SIGTERM', ignore);
        return new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
      }),
    );
}
