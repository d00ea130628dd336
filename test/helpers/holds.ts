import type { Metrics } from '../../src/core/metrics.js';

/** The components holding now, as `component:code`, read from the metric an alert reads. */
export async function holding(metrics: Metrics): Promise<string[]> {
  const { values } = await metrics.infrastructureHold.get();
  return values.filter((v) => v.value === 1).map((v) => `${v.labels.component}:${v.labels.code}`);
}
