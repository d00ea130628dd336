import { describe, expect, it } from 'vitest';
import { createKafka, createProducer } from '../../../src/core/kafka/client.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { exitedWithin, spawnOddsflow } from '../../helpers/processes.js';
import { publishRawBooks } from '../../helpers/publish.js';
import { rawBooks } from '../../helpers/raw-books.js';
import { provisionTopics, randomId, roleEnv, silentLogger, testConfig } from '../../helpers/stack.js';
import { poll } from '../../helpers/ports.js';

describe('ops metrics', () => {
  it('oddsflow lag --serve exports the lag of every consumer group, ours or not', async () => {
    const config = testConfig({ ODDSFLOW_TOPIC_PARTITIONS: '1' });
    const names = await provisionTopics(config);
    const kafka = createKafka(config.kafka, { logger: silentLogger });
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({
      topic: names.oddsPricing,
      messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    });
    await producer.disconnect();
    // The trading bot's group, which no oddsflow role knows of: it has read 4 of the 10.
    const bot = randomId('trading-bot');
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({
      groupId: bot,
      topic: names.oddsPricing,
      partitions: [{ partition: 0, offset: '4' }],
    });
    await admin.disconnect();

    const serve = spawnOddsflow(
      ['lag', '--serve', '--port', '0', '--interval', '1'],
      roleEnv(config, {
        ODDSFLOW_LOG_LEVEL: 'info',
      }),
    );
    const port = await poll(
      () => Promise.resolve(/http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(serve.output())?.[1]),
      60_000,
    );
    expect(port, serve.output()).toBeDefined();
    const line = `oddsflow_consumer_lag{group="${bot}",topic="${names.oddsPricing}",partition="0"} 6`;
    const text = await poll(async () => {
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return body.includes(line) ? body : undefined;
    }, 90_000);
    expect(text, serve.output()).toBeDefined();
    expect(text).toMatch(
      new RegExp(
        `^oddsflow_consumer_time_lag_seconds\\{group="${bot}",topic="${names.oddsPricing}",partition="0"\\} \\d`,
        'm',
      ),
    );
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    serve.kill('SIGTERM');
    expect(await exitedWithin(serve, 30_000)).toBe(0);
  });

  it('exports the freshness of each provider and sport: seconds since its last record', async () => {
    const config = testConfig();
    const names = await provisionTopics(config);
    const metrics = createMetrics();
    const [nba] = rawBooks(1);
    const betfair = { ...nba!, provider: 'betfair', sport: '7' };
    await publishRawBooks(config, names, [nba!, betfair], 500, metrics);
    await new Promise((r) => setTimeout(r, 1_500));
    await publishRawBooks(config, names, [betfair], 500, metrics);
    const text = await metrics.registry.metrics();
    const age = (provider: string, sport: string) =>
      Number(
        new RegExp(
          `^oddsflow_provider_freshness_seconds\\{provider="${provider}",sport="${sport}"\\} ([\\d.]+)$`,
          'm',
        ).exec(text)?.[1],
      );
    expect(age('the-odds-api', 'basketball_nba')).toBeGreaterThanOrEqual(1.5);
    expect(age('betfair', '7')).toBeLessThan(1);
  });
});
