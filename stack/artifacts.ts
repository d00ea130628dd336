import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { StackError } from '../src/core/errors.js';
import { pomFile, type StackLayout } from './layout.js';
import { run, which } from './processes.js';

export type Progress = (line: string) => void;

/** java, mvn and tar, each with the one line that says how to get it. */
export function requireTools(): { java: string; mvn: string; tar: string } {
  const java = which('java');
  if (!java)
    throw new StackError(
      'STACK_DEPENDENCY_MISSING',
      'java',
      'java not found: install OpenJDK 17 (apt install openjdk-17-jre-headless) or use docker compose',
    );
  const mvn = which('mvn');
  if (!mvn)
    throw new StackError(
      'STACK_DEPENDENCY_MISSING',
      'maven',
      'mvn not found: install Apache Maven (apt install maven); it fetches Kafka and the registry from Maven Central',
    );
  const tar = which('tar');
  if (!tar)
    throw new StackError('STACK_DEPENDENCY_MISSING', 'tar', 'tar not found: install tar (apt install tar)');
  return { java, mvn, tar };
}

/**
 * Kafka's jars and the registry's distribution, fetched by Maven from Maven Central (cached in
 * ~/.m2, so only the first run downloads). Skipped when both are already in place.
 */
export async function ensureArtifacts(layout: StackLayout, progress: Progress): Promise<void> {
  const { mvn, tar } = requireTools();
  const haveKafka = existsSync(layout.kafka.libsComplete);
  const haveRegistry = existsSync(layout.registry.jar);
  if (haveKafka && haveRegistry) return;

  if (!haveKafka || !existsSync(layout.registry.archive)) {
    progress(
      'artifacts: fetching Kafka and Apicurio Registry with Maven (cached in ~/.m2 after the first run)',
    );
    const started = Date.now();
    rmSync(layout.kafka.libs, { recursive: true, force: true });
    try {
      await run(
        mvn,
        ['-q', '-B', '-f', pomFile, 'generate-resources', `-Dstack.dir=${layout.stackDir}`],
        layout.stackDir,
      );
    } catch (err) {
      throw new StackError(
        'STACK_START_FAILED',
        'maven',
        `could not fetch the stack's artifacts (is Maven Central reachable?): ${(err as Error).message}`,
        { cause: err },
      );
    }
    writeFileSync(layout.kafka.libsComplete, new Date().toISOString() + '\n');
    progress(`artifacts: fetched in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  if (!existsSync(layout.registry.jar)) {
    rmSync(layout.registry.app, { recursive: true, force: true });
    mkdirSync(layout.registry.app, { recursive: true });
    try {
      await run(tar, ['-xzf', layout.registry.archive, '-C', layout.registry.app], layout.registry.dir);
    } catch (err) {
      throw new StackError(
        'STACK_START_FAILED',
        'registry',
        `could not unpack ${layout.registry.archive}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (!existsSync(layout.registry.jar)) {
      throw new StackError(
        'STACK_START_FAILED',
        'registry',
        `${layout.registry.archive} holds no ${layout.registry.jar}`,
      );
    }
  }
}
