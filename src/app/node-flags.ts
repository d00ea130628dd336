import path from 'node:path';
import { packageRoot } from '../core/config/paths.js';

/**
 * Node.js (V8) flags every oddsflow process that runs roles starts with: the Docker image's
 * entrypoint, the `oddsflow` bin's shebang, `npm run oddsflow` / `npm run demo`, the bench's role
 * processes and the tests that spawn the CLI. A unit test keeps those places in step with this list.
 *
 * Why: a role's live heap is 35–50 MiB (heap snapshots at 2,000 changes/s), yet its peak RSS was
 * 300–390 MiB. The rest was garbage V8 let pile up: on a machine with plenty of memory it lets the
 * old space grow to four times the live heap before a full collection, and the young generation to
 * 2 × 16 MiB. A growing factor of 2 and 8 MiB semi-spaces brought the peak to 175–229 MiB with no
 * measurable CPU cost (bench/README.md, "Memory: V8's heap growth and the connector's held books").
 * A hard cap (`--max-old-space-size`) is not used: under 256 MiB V8 drops the growing factor to
 * 1.3, and with the extra full collections the pipeline drained 20–25 % slower.
 */
export const roleNodeFlags = ['--max-semi-space-size=8', '--heap-growing-percent=100'] as const;

/** `node` arguments that run `oddsflow <args>` from the sources, as `npm run oddsflow` does. */
export function cliFromSources(args: readonly string[]): string[] {
  return [...roleNodeFlags, '--import', 'tsx', path.join(packageRoot, 'src/app/cli/main.ts'), ...args];
}
