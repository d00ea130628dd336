import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/app/config/load.js';
import { createKafka } from '../../../src/core/kafka/client.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { readTopicRange } from '../../../src/core/kafka/read-range.js';
import { createRoleContext } from '../../../src/app/roles/context.js';
import { startProcessors } from '../../../src/app/roles/processors.js';
import { AvroSerde } from '../../../src/core/serde/avro-serde.js';
import { rawBooks } from '../../helpers/raw-books.js';
import { publishRawBooks } from '../../helpers/publish.js';
import { exited, spawnOddsflow } from '../../helpers/processes.js';
import { provisionTopics, silentLogger, testConfig, roleEnv } from '../../helpers/stack.js';

describe('oddsflow export-features', () => {
  let config: Config;
  let featureCount = 0;

  beforeAll(async () => {
    config = testConfig({ ODDSFLOW_INSTANCE_ID: 'export-test' });
    const names = await provisionTopics(config);
    const kafka = createKafka(config.kafka, { logger: silentLogger });
    const serde = new AvroSerde(config.registry, names);
    // One row per selection of each market record: what the export writes.
    const featureRows = async () =>
      (await readTopicRange(kafka, serde, names, 'featuresMarket', {})).reduce(
        (rows, r) => rows + r.value.selections.length,
        0,
      );
    await publishRawBooks(config, names, rawBooks(120));
    const ctx = createRoleContext(config, silentLogger, createMetrics());
    const processors = await startProcessors(ctx);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      featureCount = await featureRows();
      if (featureCount >= 200) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    await processors.stop();
    // The topic is written in transactions, so its last offsets are commit markers: the read must still end.
    featureCount = await featureRows();
  }, 120_000);

  it('writes every feature record of the range to Parquet and to CSV', async () => {
    expect(featureCount).toBeGreaterThan(0);
    const dir = mkdtempSync(path.join(tmpdir(), 'export-'));
    const env = roleEnv(config);

    const parquet = spawnOddsflow(['export-features', '--out', path.join(dir, 'features.parquet')], env);
    expect(await exited(parquet), parquet.output()).toBe(0);
    expect(parquet.output()).toContain(`wrote ${featureCount} rows`);
    const rows = (await parquetReadObjects({
      file: readFileSync(path.join(dir, 'features.parquet')).buffer,
    })) as Record<string, unknown>[];
    expect(rows).toHaveLength(featureCount);
    expect(rows.every((r) => typeof r.consensusProbability === 'number' && r.won === null)).toBe(true);

    const csv = spawnOddsflow(
      ['export-features', '--from', '2000-01-01T00:00:00Z', '--out', path.join(dir, 'features.csv')],
      env,
    );
    expect(await exited(csv), csv.output()).toBe(0);
    expect(readFileSync(path.join(dir, 'features.csv'), 'utf8').trim().split('\n')).toHaveLength(
      featureCount + 1,
    );

    const bad = spawnOddsflow(['export-features', '--out', path.join(dir, 'features.xlsx')], env);
    expect(await exited(bad)).not.toBe(0);
    expect(bad.output()).toMatch(/--out: must end in \.parquet or \.csv/);
  });
});
