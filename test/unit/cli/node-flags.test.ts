import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFromSources, roleNodeFlags } from '../../../src/app/node-flags.js';
import { packageRoot } from '../../../src/core/config/paths.js';

const read = (file: string) => readFileSync(path.join(packageRoot, file), 'utf8');

describe('the Node.js flags of the processes that run roles', () => {
  it('are accepted by this Node.js', () => {
    const run = spawnSync(process.execPath, [...roleNodeFlags, '-e', ''], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('start `npm run oddsflow` and `npm run demo`, and the CLI the tests and soak rounds spawn', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    const prefix = `node ${roleNodeFlags.join(' ')} --import tsx src/app/cli/main.ts`;
    expect(scripts.oddsflow).toBe(prefix);
    expect(scripts.demo).toBe(`${prefix} demo`);
    const spawned = ['node', ...cliFromSources(['demo'])].join(' ');
    expect(spawned).toBe(
      `${prefix} demo`.replace('src/app/cli/main.ts', path.join(packageRoot, 'src/app/cli/main.ts')),
    );
  });

  it('start the oddsflow bin (its shebang) and the Docker image (its entrypoint)', () => {
    expect(read('src/app/cli/main.ts').split('\n')[0]).toBe(
      `#!/usr/bin/env -S node ${roleNodeFlags.join(' ')}`,
    );
    const entrypoint = /^ENTRYPOINT (.+)$/m.exec(read('Dockerfile'))?.[1];
    expect(JSON.parse(entrypoint ?? 'null')).toEqual(['node', ...roleNodeFlags, 'dist/src/app/cli/main.js']);
  });
});
