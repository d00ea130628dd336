import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchEnv } from './env.js';
import { groupLag } from './kafka-lag.js';
import { progress } from './progress.js';
import { scrape, sumSamples } from './prometheus.js';
import { roleCommand, startRole, type RoleName, type RoleProcess } from './role-process.js';

/** The role processes of a run: started on demand, stopped upstream first, peak RSS kept. */
export class Roles {
  readonly running = new Map<RoleName, RoleProcess>();
  readonly peakMiB = new Map<RoleName, number>();
  private saved = 0;

  constructor(private readonly env: BenchEnv) {}

  async start(role: RoleName, extraEnv: Record<string, string> = {}): Promise<RoleProcess> {
    const options = { nodeArgs: this.env.roleNodeArgs, runtime: this.env.roleRuntime };
    progress('roles', `starting ${role} (${roleCommand(role, options).join(' ')})`);
    const started = await startRole(
      role,
      { ...this.env.roleEnv, ...extraEnv },
      (line) => progress('roles', line.slice(0, 400)),
      options,
    );
    this.running.set(role, started);
    progress('roles', `${role} running, pid ${started.pid}, metrics on :${started.httpPort}`);
    return started;
  }

  async ensure(role: RoleName): Promise<RoleProcess> {
    return this.running.get(role) ?? this.start(role);
  }

  async stop(role: RoleName): Promise<void> {
    const running = this.running.get(role);
    if (running === undefined) return;
    this.running.delete(role);
    const dir = this.env.metricsDir;
    if (dir !== undefined) {
      const text = await scrape(running.httpPort).catch((err: Error) => `# scrape failed: ${err.message}\n`);
      await writeFile(path.join(dir, `${role}-${++this.saved}.prom`), text);
    }
    await running.stop();
    this.peakMiB.set(role, Math.max(this.peakMiB.get(role) ?? 0, running.peakRssMiB()));
  }

  pids(): Map<string, number> {
    return new Map([...this.running].map(([role, p]) => [role, p.pid]));
  }

  async stopAll(): Promise<void> {
    // At the end of the role scenarios nothing is measured any more: every role stops at once
    // (each still shuts down gracefully) rather than each waiting for the one upstream.
    await Promise.all((['connectors', 'processors', 'sinks'] as const).map((role) => this.stop(role)));
  }
}

export interface Counters {
  /** Raw books the connectors published. */
  published: number;
  /** Raw records the processors read. */
  prepareIn: number;
  /** Normalized records the enrich stage read. */
  enrichIn: number;
  /** Records the processors wrote, every output topic together. */
  processorsWrote: number;
  /** Records each sink wrote. */
  timescale: number;
  redis: number;
}

/** A role's /metrics now; empty for a role not running. */
export async function scrapeRole(roles: Roles, role: RoleName): Promise<string> {
  const running = roles.running.get(role);
  return running ? scrape(running.httpPort) : '';
}

/** What the roles counted so far, from their /metrics; 0 for a role not running. */
export async function counters(roles: Roles): Promise<Counters> {
  const text = (role: RoleName) => scrapeRole(roles, role);
  const [c, p, s] = await Promise.all([text('connectors'), text('processors'), text('sinks')]);
  return {
    published: sumSamples(c, 'oddsflow_connector_records_total', { kind: 'book' }),
    prepareIn: sumSamples(p, 'oddsflow_stage_records_total', { stage: 'prepare', direction: 'in' }),
    enrichIn: sumSamples(p, 'oddsflow_stage_records_total', { stage: 'enrich', direction: 'in' }),
    processorsWrote: sumSamples(p, 'oddsflow_records_written_total'),
    timescale: sumSamples(s, 'oddsflow_batch_size_sum', { component: 'timescale' }),
    redis: sumSamples(s, 'oddsflow_batch_size_sum', { component: 'redis' }),
  };
}

/** Unread messages summed over every consumer group of the processors and sinks. */
export async function totalLag(env: BenchEnv): Promise<number> {
  const n = env.names;
  const admin = env.kafka.admin();
  await admin.connect();
  try {
    const lags = await Promise.all([
      groupLag(admin, env.groups.prepare, [n.oddsRaw, n.resultsRaw]),
      groupLag(admin, env.groups.enrich, [n.oddsNormalized]),
      groupLag(admin, env.groups.sinkTimescale, [
        n.oddsNormalized,
        n.oddsPricing,
        n.resultsNormalized,
        n.featuresMarket,
      ]),
      groupLag(admin, env.groups.sinkRedis, [n.oddsNormalized, n.oddsPricing]),
    ]);
    return lags.reduce((a, b) => a + b, 0);
  } finally {
    await admin.disconnect();
  }
}
