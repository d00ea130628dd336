import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../src/core/config/paths.js';

export const pomFile = path.join(packageRoot, 'stack', 'pom.xml');
export const log4jConfigFile = path.join(packageRoot, 'stack', 'log4j2.properties');

function pomProperty(name: string): string {
  const match = new RegExp(`<${name}>([^<]+)</${name}>`).exec(readFileSync(pomFile, 'utf8'));
  if (!match?.[1]) throw new Error(`${pomFile} has no <${name}> property`);
  return match[1];
}

/** The versions pinned in stack/pom.xml, the one place they are written. */
export const stackVersions = {
  kafka: pomProperty('kafka.version'),
  apicurio: pomProperty('apicurio.version'),
};

/** Where each service keeps its files under the stack directory (git-ignored `.stack/`). */
export function stackLayout(stackDir: string) {
  const kafkaDir = path.join(stackDir, 'kafka');
  const registryDir = path.join(stackDir, 'registry');
  const timescaleDir = path.join(stackDir, 'timescale');
  const redisDir = path.join(stackDir, 'redis');
  return {
    stackDir,
    kafka: {
      dir: kafkaDir,
      /** The cluster's size and id, fixed when its storage is first formatted. */
      cluster: path.join(kafkaDir, 'cluster.json'),
      libs: path.join(kafkaDir, 'libs'),
      libsComplete: path.join(kafkaDir, 'libs', `.complete-${stackVersions.kafka}`),
      data: path.join(kafkaDir, 'data'),
      properties: path.join(kafkaDir, 'server.properties'),
      log: path.join(kafkaDir, 'kafka.log'),
      pid: path.join(kafkaDir, 'kafka.pid'),
    },
    registry: {
      dir: registryDir,
      archive: path.join(registryDir, `apicurio-registry-app-${stackVersions.apicurio}-all.tar.gz`),
      app: path.join(registryDir, 'app'),
      jar: path.join(registryDir, 'app', `apicurio-registry-app-${stackVersions.apicurio}-runner.jar`),
      log: path.join(registryDir, 'registry.log'),
      pid: path.join(registryDir, 'registry.pid'),
    },
    timescale: {
      dir: timescaleDir,
      data: path.join(timescaleDir, 'data'),
      log: path.join(timescaleDir, 'timescale.log'),
      pid: path.join(timescaleDir, 'timescale.pid'),
    },
    redis: {
      dir: redisDir,
      log: path.join(redisDir, 'redis.log'),
      pid: path.join(redisDir, 'redis.pid'),
    },
  };
}

export type StackLayout = ReturnType<typeof stackLayout>;

/**
 * The files of one broker of the local Kafka cluster. Node 1 keeps the single broker's paths, so a
 * one-broker stack looks as it always did; nodes 2… live under `kafka/node-<n>/`.
 */
export function kafkaNodeLayout(layout: StackLayout, node: number) {
  if (node === 1) {
    const { data, properties, log, pid } = layout.kafka;
    return { dir: layout.kafka.dir, data, properties, log, pid };
  }
  const dir = path.join(layout.kafka.dir, `node-${node}`);
  return {
    dir,
    data: path.join(dir, 'data'),
    properties: path.join(dir, 'server.properties'),
    log: path.join(dir, 'kafka.log'),
    pid: path.join(dir, 'kafka.pid'),
  };
}
