import avsc from 'avsc';
import { availableParallelism } from 'node:os';
import pg from 'pg';
import { qualified } from '../../sinks/migrations/sql.js';
import { configSchema } from '../../sinks/timescale/config.js';
import { createTimescaleSink } from '../../sinks/timescale/index.js';
import { pricingRows, snapshotRows } from '../../sinks/timescale/rows.js';
import { pricingTable, snapshotsTable } from '../../sinks/timescale/tables.js';
import { copyChunks, copyInto, copyStatement, type CopyTableSpec } from '../../sinks/timescale/copy.js';
import { dedupe } from '../../sinks/timescale/upsert.js';
import { createMetrics } from '../../src/core/metrics.js';
import type { TopicId } from '../../src/core/kafka/topics.js';
import { topicSchema } from '../../src/core/serde/schemas.js';
import { recordsOf, simulatedStream } from '../betfair-input.js';
import { runChain } from '../chain.js';
import { createEnrichStage } from '../../processors/pipeline/enrich-stage.js';
import { createPrepareStage } from '../../processors/pipeline/prepare-stage.js';
import type { StageInput } from '../../processors/runtime/stage.js';
import { pipelineOptions } from '../../src/app/roles/processors.js';
import type { RawMarketBook } from '../../src/core/generated/avro-types.js';
import { recordKeys } from '../../src/core/kafka/records.js';
import { cpuMsOf, cpuSnapshot } from '../cpu.js';
import type { BenchEnv } from '../env.js';
import { progress } from '../progress.js';
import type { BenchResult } from '../report.js';

export interface FloorOptions {
  /** Simulated market changes whose connector and processors' output is measured. */
  changes: number;
  /** Rounds of each measure; the lowest counts (a floor, not a typical figure). */
  rounds: number;
}

/** Lowest µs of this process's CPU per item of `rounds` runs of `work(round)` over `count` items. */
function lowestMicros(rounds: number, count: number, work: (round: number) => void): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const began = process.cpuUsage();
    work(r);
    const { user, system } = process.cpuUsage(began);
    best = Math.min(best, (user + system) / count);
  }
  return best;
}

/** µs of CPU to encode and to decode one value of the topic's schema with avsc, as the serde does. */
function avroCosts(topic: TopicId, values: readonly unknown[], rounds: number) {
  const type = avsc.Type.forSchema(topicSchema(topic));
  const buffers = values.map((v) => type.toBuffer(v));
  let bytes = 0;
  const encode = lowestMicros(rounds, values.length, () => {
    for (const v of values) bytes += type.toBuffer(v).length;
  });
  const decode = lowestMicros(rounds, buffers.length, () => {
    for (const b of buffers) bytes += type.fromBuffer(b) === undefined ? 0 : 1;
  });
  return { encode, decode, bytes };
}

/**
 * PostgreSQL's CPU per row taking the rows by `COPY … FROM STDIN` in the binary format (the
 * cheaper for the server) from one open connection (no client-side work counted: the data is
 * made before the clock starts), a CHECKPOINT after it so that writing the pages out counts too.
 * Lowest of `rounds`, into emptied tables.
 */
async function postgresCopyMicrosPerRow(
  env: BenchEnv,
  tables: readonly { spec: CopyTableSpec<unknown>; rows: readonly unknown[] }[],
  rounds: number,
): Promise<number> {
  const pool = new pg.Pool({ connectionString: env.databaseUrl, max: 1 });
  try {
    const sink = createTimescaleSink(
      configSchema.parse({ schema: env.schema, timescale: 'off', retention: null, compressAfter: null }),
      { pool, logger: env.logger, metrics: createMetrics(), clock: { now: () => Date.now() } },
    );
    await sink.start();
    const copies = tables.map(({ spec, rows }) => ({
      statement: copyStatement(env.schema, spec),
      data: Buffer.concat([...copyChunks(spec, rows)]),
    }));
    const rowCount = tables.reduce((n, t) => n + t.rows.length, 0);
    const truncate = `TRUNCATE ${tables.map((t) => qualified(env.schema, t.spec.table)).join(', ')}`;
    const client = await pool.connect();
    try {
      let best = Infinity;
      for (let r = 0; r < rounds; r++) {
        await client.query(truncate);
        await client.query('CHECKPOINT');
        // Every PostgreSQL process: the connection's backend, the WAL writer, the checkpointer.
        const before = cpuSnapshot(new Map());
        for (const { statement, data } of copies) await copyInto(client, statement, [data]);
        await client.query('CHECKPOINT');
        best = Math.min(best, (cpuMsOf(before, cpuSnapshot(new Map()), 'postgres') * 1000) / rowCount);
      }
      await client.query(truncate);
      return best;
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}

/**
 * CPU µs per raw record of the processors' two stages, prepare then enrich, fresh each round (they
 * keep state), fed in memory as the transactional loops feed them: decoded values and the
 * message bytes, made before the clock starts. Lowest of `rounds`.
 */
async function stagesMicrosPerRecord(
  env: BenchEnv,
  books: readonly RawMarketBook[],
  rounds: number,
): Promise<number> {
  const inputs: StageInput<'oddsRaw'>[] = books.map((value) => ({
    topic: 'oddsRaw',
    value,
    key: Buffer.from(recordKeys.rawBook(value)),
    raw: Buffer.from(JSON.stringify(value)),
    source: null,
  }));
  const bytes = Buffer.alloc(1_000);
  // Fresh stages for each round (they keep state), made before any round is timed.
  const stages = await Promise.all(
    Array.from({ length: rounds }, async () => {
      const options = await pipelineOptions(env.config.settings, () => Date.now());
      return { prepare: createPrepareStage(options.prepare), enrich: createEnrichStage(options.enrich) };
    }),
  );
  return lowestMicros(rounds, inputs.length, (round) => {
    const { prepare, enrich } = stages[round]!;
    let outputs = 0;
    for (const input of inputs)
      for (const record of prepare.process(input)) {
        outputs++;
        if (record.topic !== 'oddsNormalized') continue;
        outputs += enrich.process({
          topic: 'oddsNormalized',
          value: record.value,
          key: record.key === null ? null : Buffer.from(record.key),
          raw: bytes,
          source: null,
        }).length;
      }
    if (outputs === 0) throw new Error('floor: the stages wrote nothing');
  });
}

/**
 * What any implementation of this pipeline spends per raw record that the same shape does not,
 * whatever its own logic costs: the Avro decoding and encoding of the messages on its hops (the
 * design puts Avro on every topic) and PostgreSQL taking its rows by the cheapest client. Added
 * to `same_shape_cpu_us_per_record` it is the pipeline's floor (report.ts). Left out, so that it
 * stays a floor: the features records and rows, the latest-state tables, Redis, and the garbage
 * collection of what decoding makes. Measured on the processors' real output of a simulated stream.
 * Beside it, `chain_us_per_record`: the processors' logic (the prepare and enrich stages in
 * memory), part of what the floor leaves to this project's own code.
 */
export async function benchFloor(env: BenchEnv, options: FloorOptions): Promise<BenchResult[]> {
  const lines = simulatedStream({ changes: options.changes, startMs: Date.now() - 3_600_000 });
  const raw = recordsOf(lines);
  const chain = await runChain(env.config.settings, raw);
  const perRaw = (n: number) => n / raw.books.length;
  const chainMicros = await stagesMicrosPerRecord(env, raw.books, options.rounds);
  const rawAvro = avroCosts('oddsRaw', raw.books, options.rounds);
  const books = avroCosts('oddsNormalized', chain.books, options.rounds);
  const pricing = avroCosts('oddsPricing', chain.pricing, options.rounds);
  // The processors decode each raw record and each book (prepare, then enrich) and encode each
  // book and pricing record; the TimescaleDB and Redis sinks each decode every book and pricing
  // record. The connector's encoding is not in the pipeline's drain (its backlog is pre-produced).
  const avro =
    rawAvro.decode +
    perRaw(chain.books.length) * (books.encode + 3 * books.decode) +
    perRaw(chain.pricing.length) * (pricing.encode + 2 * pricing.decode);
  progress(
    'floor',
    `Avro µs per record, encode/decode: raw ${rawAvro.encode.toFixed(1)}/${rawAvro.decode.toFixed(1)}, book ${books.encode.toFixed(1)}/${books.decode.toFixed(1)}, pricing ${pricing.encode.toFixed(1)}/${pricing.decode.toFixed(1)}; ${avro.toFixed(0)} µs per raw record`,
  );
  const snapshots = dedupe(snapshotsTable, chain.books.flatMap(snapshotRows));
  const pricingTableRows = dedupe(pricingTable, chain.pricing.flatMap(pricingRows));
  const perRow = await postgresCopyMicrosPerRow(
    env,
    [
      { spec: snapshotsTable, rows: snapshots },
      { spec: pricingTable, rows: pricingTableRows },
    ],
    Math.min(3, options.rounds),
  );
  const rowsPerRaw = perRaw(snapshots.length + pricingTableRows.length);
  progress(
    'floor',
    `PostgreSQL by COPY: ${perRow.toFixed(1)} µs per row, ${rowsPerRaw.toFixed(2)} odds and pricing rows per raw record`,
  );
  return [
    { name: 'floor_avro_us_per_record', value: Math.round(avro), unit: 'µs' },
    { name: 'floor_postgres_us_per_record', value: Math.round(perRow * rowsPerRaw), unit: 'µs' },
    { name: 'chain_us_per_record', value: Math.round(chainMicros), unit: 'µs' },
    // The most the pipeline could use: every core of the machine (the ceiling's cores, report.ts).
    { name: 'floor_cores', value: availableParallelism(), unit: 'cores' },
  ];
}
