import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot } from '../../../src/core/config/paths.js';
import { collectProcessMetrics, createMetrics } from '../../../src/core/metrics.js';

const rulesFile = path.join(packageRoot, 'ops/prometheus/alerts.yml');
const rulesTestFile = path.join(packageRoot, 'ops/prometheus/alerts.test.yml');
const dashboardFile = path.join(packageRoot, 'ops/grafana/oddsflow.json');

interface Rule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (
  parse(readFileSync(rulesFile, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);
interface Panel {
  id: number;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets: { expr: string; refId: string }[];
}
const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as { uid: string; panels: Panel[] };

/** Every series name the code exports: histograms as their _bucket, _sum and _count series. */
async function exportedSeries(): Promise<Set<string>> {
  const metrics = createMetrics();
  collectProcessMetrics(metrics);
  const names = new Set<string>();
  for (const { name, type } of await metrics.registry.getMetricsAsJSON()) {
    names.add(name);
    if (String(type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

const namesIn = (expr: string): string[] => [...expr.matchAll(/\boddsflow_[a-z0-9_]+\b/g)].map((m) => m[0]);

describe('ops/prometheus/alerts.yml', () => {
  it('has every alert ops asked for, each with an expression, a severity and a summary', () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'OddsflowConsumerLagGrowing',
        'OddsflowDeadLetters',
        'OddsflowBreakerOpen',
        'OddsflowProviderStale',
        'OddsflowProviderHalted',
        'OddsflowConsumerRestarts',
        'OddsflowSlowSinkBatches',
        'OddsflowInfrastructureHold',
      ]),
    );
    for (const rule of rules) {
      expect(rule.expr, rule.alert).toMatch(/oddsflow_/);
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      if (rule.for !== undefined) expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
    }
  });

  it('names only metrics the code exports', async () => {
    const exported = await exportedSeries();
    const unknown = rules.flatMap((r) => namesIn(r.expr ?? '')).filter((name) => !exported.has(name));
    expect(unknown).toEqual([]);
  });

  const promtool = spawnSync('promtool', ['--version']).status === 0;
  it.skipIf(!promtool)(
    'passes promtool: the rules check, and their tests fire each alert when they should',
    () => {
      const check = spawnSync('promtool', ['check', 'rules', rulesFile], { encoding: 'utf8' });
      expect(check.status, check.stdout + check.stderr).toBe(0);
      const tests = spawnSync('promtool', ['test', 'rules', rulesTestFile], { encoding: 'utf8' });
      expect(tests.status, tests.stdout + tests.stderr).toBe(0);
    },
  );
});

describe('ops/grafana/oddsflow.json', () => {
  it('is a dashboard whose panels each query something, laid out without overlap', () => {
    expect(dashboard.uid).toBe('oddsflow');
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets) expect(target.expr, panel.title).toMatch(/oddsflow_/);
      const { x, y, w, h } = panel.gridPos;
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`), `${panel.title} overlaps another panel`).toBe(false);
          cells.add(`${i},${j}`);
        }
    }
  });

  it('shows only metrics the code exports, and every oddsflow metric of the code', async () => {
    const exported = await exportedSeries();
    const used = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => namesIn(t.expr))));
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    const own = (await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
    const shown = (name: string) => [...used].some((u) => u === name || u.startsWith(`${name}_`));
    expect(own.filter((name) => !shown(name))).toEqual([]);
  });
});
