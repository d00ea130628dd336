import type { Admin, Message } from 'kafkajs';
import { splitBySize } from '../../src/core/kafka/encode.js';
import {
  clientAbResultName,
  type AbClient,
  type AbClientName,
  type AbMeasurement,
  type AbMessage,
} from '../client-ab/client.js';
import { kafkajsClient } from '../client-ab/kafkajs.js';
import { platformaticClient } from '../client-ab/platformatic.js';
import type { BenchEnv } from '../env.js';
import { countMessages } from '../kafka-count.js';
import { groupLag } from '../kafka-lag.js';
import { progress } from '../progress.js';
import type { BenchResult } from '../report.js';
import { perSecond, round1, summarize } from '../stats.js';

export interface ClientAbOptions {
  messages: number;
  /** Each client runs this many times, the two turn about; the median counts. */
  repeats: number;
}

/** Each client's medians over its runs, rates in whole messages and CPU to a tenth of a µs. */
export function clientAbResults(
  measured: ReadonlyMap<AbClientName, readonly AbMeasurement[]>,
): BenchResult[] {
  const results: BenchResult[] = [];
  for (const [client, runs] of measured) {
    const median = (pick: (m: AbMeasurement) => number) => summarize(runs.map(pick)).p50;
    results.push(
      {
        name: clientAbResultName(client, 'produce_msgs_per_s'),
        value: Math.round(median((m) => m.produceMsgsPerS)),
        unit: 'messages/s',
      },
      {
        name: clientAbResultName(client, 'hop_msgs_per_s'),
        value: Math.round(median((m) => m.hopMsgsPerS)),
        unit: 'messages/s',
      },
      {
        name: clientAbResultName(client, 'cpu_us_per_msg'),
        value: round1(median((m) => m.cpuUsPerMsg)),
        unit: 'µs',
      },
    );
  }
  return results;
}

/**
 * `count` messages cycling through `sample`, keys and values as bytes, in sends of 1,000 cut at
 * 512 KiB, as passthrough fills its topic.
 */
export function sendsOf(sample: readonly Message[], count: number): AbMessage[][] {
  const bytes = (data: Message['key']): Buffer =>
    typeof data === 'string' ? Buffer.from(data) : (data ?? Buffer.alloc(0));
  const messages = sample.map((m) => ({ key: bytes(m.key), value: bytes(m.value) }));
  const sends: AbMessage[][] = [];
  for (let i = 0; i < count; i += 1_000) {
    const chunk: AbMessage[] = [];
    for (let j = i; j < Math.min(i + 1_000, count); j++) chunk.push(messages[j % messages.length]!);
    for (const send of splitBySize([{ topic: '', messages: chunk }])) sends.push(send[0]!.messages);
  }
  return sends;
}

/** A topic, group or transactional id of one client's run, under the bench run's prefix. */
const runName = (env: BenchEnv, client: AbClientName, run: number, what: string): string =>
  env.topic(`client-ab.${client}.${run}.${what}`);

/** One client's produce into a fresh topic, then its hop out of it into another. */
async function measure(
  env: BenchEnv,
  admin: Admin,
  client: AbClient,
  sends: readonly AbMessage[][],
  count: number,
  run: number,
): Promise<AbMeasurement> {
  const scenario = `client_ab.${client.name}`;
  const name = (what: string) => runName(env, client.name, run, what);
  const [input, output, groupId] = [name('in'), name('out'), name('group')];
  const producer = await client.producer(input);
  const cpuAtProduce = process.cpuUsage();
  const began = performance.now();
  for (const send of sends) await producer.send(send);
  const produceMs = performance.now() - began;
  const produceCpu = process.cpuUsage(cpuAtProduce);
  await producer.close();

  const cpuAtHop = process.cpuUsage();
  const { copied, batches, ms } = await client.copy(scenario, {
    input,
    output,
    groupId,
    transactionalId: name('transactional'),
    count,
  });
  const hopCpu = process.cpuUsage(cpuAtHop);
  // A fast copy that lost or doubled messages would prove nothing.
  const written = await countMessages(env, output);
  const lag = await groupLag(admin, groupId, [input]);
  if (written !== count || lag !== 0)
    throw new Error(`${scenario}: ${written} of ${count} messages copied, the group's lag is ${lag}`);
  const measurement = {
    produceMsgsPerS: perSecond(count, produceMs),
    hopMsgsPerS: perSecond(copied, ms),
    cpuUsPerMsg: (hopCpu.user + hopCpu.system) / copied,
  };
  progress(
    scenario,
    `run ${run}: produced ${Math.round(measurement.produceMsgsPerS)} messages/s (${((produceCpu.user + produceCpu.system) / count).toFixed(1)} µs CPU each), copied ${Math.round(measurement.hopMsgsPerS)} messages/s in ${batches} transactions (${measurement.cpuUsPerMsg.toFixed(1)} µs CPU each)`,
  );
  return measurement;
}

/**
 * kafkajs against @platformatic/kafka on the same broker in one process (issue 14, lever "Client":
 * kafkajs stays unless the other is at least 1.5× end to end). Each client produces the same
 * messages (the backlog's odds.raw keys and values) to a fresh topic, 1,000 per send (cut at
 * 512 KiB), one send at a time, idempotent with acks=all; then copies them to a second topic as
 * the processors do: a new group reading committed records, one transaction per partition batch
 * with its offsets inside, and the copy must be whole. The clients turn about, one after the
 * other, never side by side.
 */
export async function benchClientAb(
  env: BenchEnv,
  options: ClientAbOptions,
  sample: readonly Message[],
): Promise<BenchResult[]> {
  const clients = [kafkajsClient(env), platformaticClient(env)];
  const sends = sendsOf(sample, options.messages);
  const measured = new Map<AbClientName, AbMeasurement[]>(clients.map((c) => [c.name, []]));
  const admin = env.kafka.admin();
  await admin.connect();
  const topics: string[] = [];
  try {
    for (let run = 1; run <= options.repeats; run++) {
      // Turn about: whichever goes second finds the broker and the process warmer.
      for (const client of run % 2 === 1 ? clients : [...clients].reverse()) {
        const created = ['in', 'out'].map((what) => runName(env, client.name, run, what));
        await admin.createTopics({
          waitForLeaders: true,
          topics: created.map((topic) => ({ topic, numPartitions: env.config.topics.partitions })),
        });
        topics.push(...created);
        measured.get(client.name)!.push(await measure(env, admin, client, sends, options.messages, run));
      }
    }
  } finally {
    // Gone now rather than at the end of the run: each run leaves 4 topics of the whole payload.
    if (topics.length > 0)
      await admin.deleteTopics({ topics }).catch((err: Error) => progress('client_ab', err.message));
    await admin.disconnect();
  }
  return clientAbResults(measured);
}
