import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../src/core/config/paths.js';
import { progress } from './progress.js';

/**
 * Compiles the project into dist/ for `--compiled` (incremental: a second run with nothing changed
 * takes seconds). Fails with tsc's own output when the build does.
 */
export function buildDist(): void {
  progress('bench', 'building dist/ for --compiled (tsc -p tsconfig.build.json --incremental)');
  const tsc = path.join(packageRoot, 'node_modules/typescript/bin/tsc');
  const built = spawnSync(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'],
    { cwd: packageRoot, encoding: 'utf8' },
  );
  if (built.status !== 0)
    throw new Error(`the build for --compiled failed:\n${built.stdout}${built.stderr}`.trimEnd());
}
